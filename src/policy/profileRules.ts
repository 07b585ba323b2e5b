// Adds a policy's rules to a profile's merge policy: keyed arrays (any profile) and extra
// volatile paths (the json profile; the nixops profile takes its list from its settings).

import type { Path } from "../core/values";
import { matchesAny, matchesPattern, type PathPattern } from "../profiles/pathPattern";
import type { Profile } from "../profiles/profile";
import type { KeyedArrayRule } from "./policyTypes";

export interface ProfileRules {
  keyedArrays?: readonly KeyedArrayRule[];
  jsonVolatile?: readonly PathPattern[];
}

export function withPolicyRules(profile: Profile, rules: ProfileRules): Profile {
  const keyed = rules.keyedArrays ?? [];
  const volatile = profile.name === "json" ? rules.jsonVolatile ?? [] : [];
  if (keyed.length === 0 && volatile.length === 0) return profile;
  const base = profile.policy;
  return {
    ...profile,
    policy: {
      ...base,
      isVolatile: (path: Path) => base.isVolatile(path) || matchesAny(path, volatile),
      // The first rule naming this array wins, as the first matching file entry does.
      arrayKey: (path: Path) => keyed.find((k) => matchesPattern(path, k.pattern))?.field ?? base.arrayKey?.(path) ?? null,
    },
  };
}
