// The questions the merge engine asks a profile (nixops, json). A profile is data plus these
// small functions; the engine itself knows no attribute names.

import type { JsonObject, JsonValue, Path, Slot } from "./values";
import type { ConflictKind, Side } from "./merged";

export interface MergePolicy {
  /** Values every deploy rewrites: on a two-sided change they take ours' state, reported. */
  isVolatile(path: Path): boolean;
  /**
   * For a keyed record with an identity (a NixOps resource), the attributes that say which
   * real-world thing it is; null for anything else.
   */
  identityAttributes(path: Path, ours: JsonObject, theirs: JsonObject): readonly string[] | null;
  /** The attribute whose change makes a record a different kind of thing (NixOps `type`). */
  typeAttribute(path: Path): string | null;
  /** Re-encodes a merged embedded-JSON value as text (Python json.dumps for NixOps). */
  encodeEmbedded(value: JsonValue): string;
  /**
   * For an array of records matched by identity (a policy's keyed array): the identity field,
   * or several fields whose values together are the identity (Terraform's resources).
   */
  arrayKey?(path: Path): KeyFields | null;
  /**
   * For a record both sides changed differently: a conflict kind when it must be taken whole
   * (a Terraform instance whose sides changed the same attribute), null to merge its fields.
   */
  wholeRecordConflict?(path: Path, base: Slot, ours: JsonObject, theirs: JsonObject): ConflictKind | null;
  /**
   * For an object whose entries are records people call by a name (NixOps deployments, by
   * `name`): that attribute. Two entries with one name after a merge are a conflict.
   */
  nameAttribute?(path: Path): string | null;
}

/** One identity field, or several that together identify an element. */
export type KeyFields = string | readonly string[];

/** Optional instructions that settle conflicts instead of leaving hunks. */
export interface MergeOptions {
  /** Settle the conflict at this path to one side (resolve, virtual-base mode). */
  settle?: (path: Path) => Side | undefined;
  /** Paths (joined by NUL) where an input wrote a record twice, with every value written. */
  duplicates?: Map<string, Partial<Record<Side, JsonValue[]>>>;
  /**
   * Merges a reader already knows, by theirs' value: where base and ours are the very object
   * `ours` and theirs is the key, the merge is `merged` (what rule 1 would give, found
   * without opening the values; see formats/fastTheirsChange.ts).
   */
  knownMerges?: ReadonlyMap<object, KnownMerge>;
}

export interface KnownMerge {
  ours: JsonValue;
  merged: JsonValue;
}

export const PLAIN_POLICY: MergePolicy = {
  isVolatile: () => false,
  identityAttributes: () => null,
  typeAttribute: () => null,
  encodeEmbedded: (v) => JSON.stringify(v),
};

export function pathKey(path: Path): string {
  return path.join("\u0000");
}
