// A profile row: what one kind of state file is, as data (like mergiraf's LangProfile). The
// engine, the commands and the renderer read these fields; none of them knows a kind by name.

import type { JsonValue, Path, Slot } from "../core/values";
import type { KeyFields, MergePolicy } from "../core/policy";
import type { PathPattern } from "./pathPattern";
import type { ProfileName } from "./overlay";

/** One level of keyed records (a NixOps deployment, a resource), matched by its key. */
export interface RecordLevel {
  /** Where the records of this level stand. */
  at: PathPattern;
  /** How people call one record of this level. */
  noun: string;
  /** An attribute that names the record better than its key (a deployment's `name`). */
  nameAttribute?: string;
  /** People pick a record by that name (`nixops -d NAME`): two records with one name are a conflict. */
  uniqueName?: boolean;
}

/** Records that say which real-world thing they are (a NixOps resource's `creationTime`). */
export interface IdentityRule {
  at: PathPattern;
  /** The attribute whose change makes the record another kind of thing. */
  typeAttribute: string;
  /** Identity attributes of every record at `at`. */
  common: readonly string[];
  /** Identity attributes by the record's type. */
  byType: Readonly<Record<string, readonly string[]>>;
}

export interface ProfileRow {
  name: ProfileName;
  /** The document has this kind's shape and content (a NixOps export with a deployment). */
  recognizes(doc: JsonValue): boolean;
  /** The document can be read as this kind (an empty `{}` is any kind's empty state). */
  admits(doc: JsonValue): boolean;
  /** What a document this kind admits is, in words ("is JSON but no longer <shape>"). */
  shape: string;
  /** What people call a file of this kind ("looks like a NixOps export"). */
  kindName: string;
  /**
   * A kind of state known by its content, whatever the file's name: the first bytes of its files
   * match every one of these (a cheap test before a parse; view/stateContent.ts). Empty: plain
   * JSON, never a state file by content.
   */
  startsLike: readonly RegExp[];
  /**
   * Of the documents this kind recognizes, those its merge reads record by record (Terraform:
   * version 4, not encrypted); the others go to Git's line merge, so no command takes them
   * for state by content. Absent: every document it recognizes.
   */
  mergesByRecord?(doc: JsonValue): boolean;
  records: readonly RecordLevel[];
  identity: IdentityRule | null;
  /** Values every run rewrites: a two-sided change keeps ours', reported. */
  volatile: readonly PathPattern[];
  /** Secret attribute names (besides the shared list) and places; a leading "**" matches any prefix. */
  secretNames: readonly string[];
  secretPaths: readonly PathPattern[];
  /** Embedded JSON that holds secrets inside (NixOps `keys`): hidden whole when it does not parse. */
  secretBlobs: readonly PathPattern[];
  /** Where attribute strings may hold JSON, merged by value (empty: strings are plain). */
  embeddedJson: readonly PathPattern[];
  /** How embedded JSON is re-encoded when neither side's text can be kept. */
  encodeEmbedded(value: JsonValue): string;
  /** The codec that reads and writes the file's bytes (and the key of the per-kind tables above the profiles). */
  layout: "nixops" | "json" | "tfstate";
  /** Arrays of records the kind itself keys (Terraform's resources, by several fields); the policy file's come first. */
  keyedArrays?: readonly { pattern: PathPattern; field: KeyFields }[];
  /** A record both sides changed differently that must be taken whole (core/policy.ts). */
  wholeRecordConflict?: MergePolicy["wholeRecordConflict"];
  /** Secrets the documents themselves mark (Terraform's `sensitive_attributes`), for these documents. */
  secretsIn?(documents: readonly Slot[]): (path: Path) => boolean;
  /** A place in words where the record levels cannot say it (Terraform's plan addresses). */
  describePath?(path: Path): string;
  /** A `resolve` selector as this kind's users write it; without it, the record levels read it. */
  selectorPath?(selector: string, documents: readonly Slot[]): Path | { error: string };
}
