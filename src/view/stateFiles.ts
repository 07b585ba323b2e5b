// Which files are NixOps state files: by name (the patterns `install` writes, `*.nixops.json`
// and `*.nixops-exported`) or because Git's attributes hand them to our merge or diff driver.

import { attributesOf } from "../git/attributes";
import type { Repo } from "../git/indexStages";
import { DEFAULT_PATTERNS, DRIVER } from "../git/install";
import { matchesFileGlob } from "../policy/fileGlob";

export function isStateFileName(path: string): boolean {
  return DEFAULT_PATTERNS.some((pattern) => matchesFileGlob(path, pattern));
}

/** The paths (repository-relative) that must hold a NixOps export. */
export function declaredStateFiles(repo: Repo | null, paths: string[]): Set<string> {
  const out = new Set(paths.filter(isStateFileName));
  if (repo) {
    for (const [path, attrs] of attributesOf(repo, paths, ["merge", "diff"])) {
      if (attrs.get("merge") === DRIVER || attrs.get("diff") === DRIVER) out.add(path);
    }
  }
  return out;
}
