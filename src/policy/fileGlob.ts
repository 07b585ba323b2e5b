// Globs naming files in the repository, as in .gitattributes: "*" and "?" stay within one
// path segment, "**" as a whole segment spans any number of directories, and a glob without
// a "/" matches the file name in any directory.

/** Why a glob cannot be used, as "<what is wrong>; <what to do>", or null when it is fine. */
export function fileGlobError(glob: string): string | null {
  if (glob.trim() === "") return "is empty; write a file path such as tenants.json or state/*.json";
  if (glob.includes("\\")) return "holds a backslash; separate directories with /";
  if (/[[\]{}]/.test(glob)) return "uses [ ] or { } which are not supported; use * and ?, or one entry per file";
  if (glob.startsWith("!")) return "starts with !, and negation is not supported; list the files that the entry is for";
  if (glob.endsWith("/")) return "names a directory; add /** (every file under it) or a file name";
  const segments = glob.replace(/^\//, "").split("/");
  if (segments.some((s) => s === "" || s === "." || s === "..")) return "has an empty, . or .. segment; write the path from the repository root";
  if (segments.some((s) => s.includes("**") && s !== "**")) return "uses ** inside a name; ** must be a whole segment (state/**/*.json)";
  return null;
}

const cache = new Map<string, RegExp>();

function globRegExp(glob: string): RegExp {
  let re = cache.get(glob);
  if (re) return re;
  const anchored = glob.includes("/");
  const segments = glob.replace(/^\//, "").split("/");
  let source = anchored ? "^" : "^(?:.*/)?";
  segments.forEach((segment, i) => {
    const last = i === segments.length - 1;
    if (segment === "**") {
      source += last ? ".*" : "(?:[^/]+/)*";
      return;
    }
    source += segment.replace(/[.+^${}()|[\]\\]/g, "\\$&").replace(/\*/g, "[^/]*").replace(/\?/g, "[^/]");
    if (!last) source += "/";
  });
  re = new RegExp(source + "$");
  cache.set(glob, re);
  return re;
}

/** Whether a repository path ("deploy/tenants.json", "/" separated) matches a valid glob. */
export function matchesFileGlob(path: string, glob: string): boolean {
  return globRegExp(glob).test(path.replace(/^\.\//, ""));
}
