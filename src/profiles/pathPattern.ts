// Path patterns for policy data: one glob per path segment, "*" matching any run of
// characters within a segment (so "*tags" matches "ec2.tags" and "tags").

import type { Path } from "../core/values";

export type PathPattern = readonly string[];

const cache = new Map<string, RegExp>();

function segmentRegExp(glob: string): RegExp {
  let re = cache.get(glob);
  if (!re) {
    re = new RegExp("^" + glob.split("*").map((s) => s.replace(/[.+?^${}()|[\]\\]/g, "\\$&")).join(".*") + "$");
    cache.set(glob, re);
  }
  return re;
}

export function matchesPattern(path: Path, pattern: PathPattern): boolean {
  if (path.length !== pattern.length) return false;
  for (let i = 0; i < path.length; i++) {
    const glob = pattern[i];
    if (glob === "*") continue;
    if (!glob.includes("*") ? glob !== path[i] : !segmentRegExp(glob).test(path[i])) return false;
  }
  return true;
}

export function matchesAny(path: Path, patterns: readonly PathPattern[]): boolean {
  return patterns.some((p) => matchesPattern(path, p));
}

