// What a forge's merge button does to a state file, on a real repository: Git's own line
// merge, because the driver is switched off for every path ($GIT_DIR/info/attributes wins
// over .gitattributes), the way GitHub and GitLab merge without the team's config.

import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { GitResult, TempRepo } from "./gitRepo";

export function withDriverOff<T>(repo: TempRepo, run: () => T): T {
  const info = join(repo.git("rev-parse", "--absolute-git-dir").trim(), "info");
  mkdirSync(info, { recursive: true });
  const file = join(info, "attributes");
  writeFileSync(file, "* merge=text\n");
  try {
    return run();
  } finally {
    rmSync(file, { force: true });
  }
}

/** `git merge <branch>` with the driver switched off; the merge must come out "clean". */
export function forgeMerge(repo: TempRepo, branch: string, message = `Merge pull request: ${branch}`): void {
  const r: GitResult = withDriverOff(repo, () => repo.tryGit("merge", "--no-ff", "-m", message, branch));
  if (r.status !== 0) throw new Error(`the line merge of ${branch} was not clean: ${r.stdout}${r.stderr}`);
}
