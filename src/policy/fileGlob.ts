// Globs naming files in the repository, as in .gitattributes: "*" and "?" stay within one
// path segment, "**" as a whole segment spans any number of directories, and a glob without
// a "/" matches the file name in any directory.

import { matchesWildcard } from "../core/wildcard";
import { FILE_GLOB_MAX_LENGTH, counted } from "./policyBounds";

/** Why a glob cannot be used, as "<what is wrong>; <what to do>", or null when it is fine. */
export function fileGlobError(glob: string): string | null {
  if (glob.trim() === "") return "is empty; write a file path such as tenants.json or state/*.json";
  if (glob.length > FILE_GLOB_MAX_LENGTH) return `is ${counted(glob.length)} characters long, more than the ${counted(FILE_GLOB_MAX_LENGTH)} allowed; shorten it with * or **`;
  if (glob.includes("\\")) return "holds a backslash; separate directories with /";
  if (/[[\]{}]/.test(glob)) return "uses [ ] or { } which are not supported; use * and ?, or one entry per file";
  if (glob.startsWith("!")) return "starts with !, and negation is not supported; list the files that the entry is for";
  if (glob.endsWith("/")) return "names a directory; add /** (every file under it) or a file name";
  const segments = glob.replace(/^\//, "").split("/");
  if (segments.some((s) => s === "" || s === "." || s === "..")) return "has an empty, . or .. segment; write the path from the repository root";
  if (segments.some((s) => s.includes("**") && s !== "**")) return "uses ** inside a name; ** must be a whole segment (state/**/*.json)";
  return null;
}

/** A valid glob, split once: its segments ("**" kept as is) and whether it names a path from the root. */
interface SplitGlob {
  anchored: boolean;
  segments: string[];
}

const cache = new Map<string, SplitGlob>();

function splitGlob(glob: string): SplitGlob {
  let split = cache.get(glob);
  if (!split) {
    split = { anchored: glob.includes("/"), segments: glob.replace(/^\//, "").split("/") };
    cache.set(glob, split);
  }
  return split;
}

/**
 * Whether a repository path ("deploy/tenants.json", "/" separated) matches a valid glob.
 * The glob's segments are states and the path's segments are read once, left to right, with
 * every state the path so far can be in (no backtracking): a glob from a committed policy file
 * costs O(len(glob) * len(path)) whatever its "**" and "*".
 */
export function matchesFileGlob(path: string, glob: string): boolean {
  const { anchored, segments } = splitGlob(glob);
  const last = segments.length - 1;
  // active[i]: the path's segments read so far match the glob's first i segments.
  let active = new Uint8Array(segments.length + 1);
  let next = new Uint8Array(segments.length + 1);
  const start = (states: Uint8Array) => {
    states[0] = 1;
    // A "**" before the last segment may stand for no directory at all.
    for (let i = 0; i < last && states[i] && segments[i] === "**"; i++) states[i + 1] = 1;
  };
  start(active);
  for (const part of path.replace(/^\.\//, "").split("/")) {
    next.fill(0);
    for (let i = 0; i <= last; i++) {
      if (!active[i]) continue;
      const segment = segments[i];
      if (segment === "**" && i === last) {
        // A final "**" takes the rest of the path: one or more segments, of any name.
        next[i] = 1;
        next[i + 1] = 1;
      } else if (segment === "**") {
        if (part !== "") next[i] = 1;
      } else if (matchesWildcard(part, segment, true)) next[i + 1] = 1;
    }
    for (let i = 0; i < last; i++) if (next[i] && segments[i] === "**") next[i + 1] = 1;
    // A glob without a "/" may start in any directory.
    if (!anchored) start(next);
    [active, next] = [next, active];
  }
  return active[last + 1] === 1;
}
