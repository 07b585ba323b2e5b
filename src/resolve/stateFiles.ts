// Which files are NixOps state files: by name (`*.nixops.json`, `*.nixops-exported`, the
// patterns `install` writes) or because Git's attributes hand them to our merge or diff driver.

import { attributesOf, type Repo } from "../git/indexStages";

export const DRIVER_NAME = "statefile";
const STATE_FILE_NAME = /\.nixops\.json$|\.nixops-exported$/;

export function isStateFileName(path: string): boolean {
  return STATE_FILE_NAME.test(path);
}

/** The paths (repository-relative) that must hold a NixOps export. */
export function declaredStateFiles(repo: Repo | null, paths: string[]): Set<string> {
  const out = new Set(paths.filter(isStateFileName));
  if (repo) {
    for (const [path, attrs] of attributesOf(repo, paths, ["merge", "diff"])) {
      if (attrs.get("merge") === DRIVER_NAME || attrs.get("diff") === DRIVER_NAME) out.add(path);
    }
  }
  return out;
}
