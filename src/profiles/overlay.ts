// What a repository's policy file adds to a profile row for the files one entry names: the
// overlay is data on top of the row's data, never a branch on the profile's name.

import type { PathPattern } from "./pathPattern";

export type ProfileName = "nixops" | "json" | "tfstate";

/** An array of records matched by an identity field: `/tenants` by `id`. */
export interface KeyedArrayRule {
  pattern: PathPattern;
  field: string;
}

export interface Overlay {
  /** Forced profile; undefined: chosen from the content. */
  profile?: ProfileName;
  keyedArrays: readonly KeyedArrayRule[];
  /** `enabled: false` drops every volatile path (the row's too); `add` / `remove` edit the row's list. */
  volatile: { enabled: boolean; add: readonly PathPattern[]; remove: readonly PathPattern[] };
  /** Extra identity attributes by record type (NixOps plugins' resource types). */
  identity: Readonly<Record<string, readonly string[]>>;
  secretNames: readonly string[];
}

export const NO_OVERLAY: Overlay = {
  keyedArrays: [],
  volatile: { enabled: true, add: [], remove: [] },
  identity: {},
  secretNames: [],
};

/** An overlay with some settings given and the rest as without a policy entry. */
export function overlayOf(settings: Partial<Overlay>): Overlay {
  return { ...NO_OVERLAY, ...settings };
}
