// Path patterns for policy data: one glob per path segment, "*" matching any run of
// characters within a segment (so "*tags" matches "ec2.tags" and "tags"). The policy file
// writes them like JSON Pointers: "/tenants/*/domains", "~1" for a "/" in a key and "~0"
// for "~", "/" alone for the document root.

import type { Path } from "../core/values";
import { matchesWildcard } from "../core/wildcard";

export type PathPattern = readonly string[];

export function matchesPattern(path: Path, pattern: PathPattern): boolean {
  if (path.length !== pattern.length) return false;
  for (let i = 0; i < path.length; i++) {
    const glob = pattern[i];
    if (glob === "*") continue;
    // Not a regular expression: a committed pattern like "*a*a*a*a*b" must not backtrack.
    if (!glob.includes("*") ? glob !== path[i] : !matchesWildcard(path[i], glob, false)) return false;
  }
  return true;
}

export function matchesAny(path: Path, patterns: readonly PathPattern[]): boolean {
  return patterns.some((p) => matchesPattern(path, p));
}

export type ParsedPathPattern = { pattern: PathPattern } | { error: string };

export function parseJsonPathPattern(text: string): ParsedPathPattern {
  if (!text.startsWith("/")) return { error: `does not start with /; write it from the document root, like /tenants` };
  if (text === "/") return { pattern: [] };
  const segments = text.slice(1).split("/");
  if (segments.some((s) => s === "")) return { error: "has an empty level (//, or a / at the end); remove it" };
  if (segments.some((s) => s.includes("**"))) return { error: "uses **, which paths inside a document do not support; write one * per level" };
  return { pattern: segments.map(unescapeKey) };
}

/** One level of a JSON Pointer as the key it stands for ("~1" is "/", "~0" is "~"). */
export function unescapeKey(segment: string): string {
  return segment.replace(/~1/g, "/").replace(/~0/g, "~");
}

/** A pattern, or a path (its keys escaped the same way), as the policy file writes it. */
export function formatJsonPathPattern(pattern: PathPattern): string {
  return pattern.length === 0 ? "/" : "/" + pattern.map((s) => s.replace(/~/g, "~0").replace(/\//g, "~1")).join("/");
}
