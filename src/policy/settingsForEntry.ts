// A policy entry as merge settings: the profile, keyed arrays, volatile paths, identity
// attributes and secret names the pipeline takes.

import type { MergeSettings } from "../pipeline/mergeTexts";
import { DEFAULT_VOLATILE, IDENTITY_BY_TYPE } from "../profiles/nixops";
import type { PathPattern } from "../profiles/pathPattern";
import type { PolicyEntry } from "./policyTypes";

export type PolicySettings = Partial<Pick<MergeSettings, "profile" | "nixops" | "secretNames" | "keyedArrays" | "jsonVolatile">>;

const samePattern = (a: PathPattern, b: PathPattern) => a.length === b.length && a.every((s, i) => s === b[i]);

export function settingsForEntry(entry: PolicyEntry): PolicySettings {
  const { volatile } = entry;
  const nixopsVolatile = volatile.enabled
    ? [...DEFAULT_VOLATILE.filter((d) => !volatile.remove.some((r) => samePattern(d, r))), ...volatile.add]
    : [];
  const identityByType: Record<string, readonly string[]> = { ...IDENTITY_BY_TYPE };
  for (const [type, attrs] of Object.entries(entry.identity)) {
    identityByType[type] = [...new Set([...(identityByType[type] ?? []), ...attrs])];
  }
  return {
    profile: entry.profile,
    keyedArrays: entry.keyedArrays,
    jsonVolatile: volatile.enabled ? volatile.add : [],
    secretNames: entry.secretNames,
    nixops: { volatile: nixopsVolatile, identityByType, secretNames: entry.secretNames },
  };
}
