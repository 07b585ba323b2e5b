// The common Git directory of the repository around a directory: the one a repository's
// linked worktrees share, where the wrapper keeps its locks and runs and each worktree's
// config.worktree is listed. `git rev-parse --git-common-dir` prints it relative to where git
// runs (absolute in a linked worktree), so it is resolved here. Not `--path-format=absolute`:
// Git before 2.31 does not know that option, and rev-parse prints an option it does not know
// back on stdout, which would have made the path "--path-format=absolute\n../.git".

import { resolve } from "node:path";
import { gitText } from "./run";

/** The common Git directory, absolute, or null outside a repository. */
export function commonGitDir(cwd: string): string | null {
  const dir = gitText(cwd, ["rev-parse", "--git-common-dir"]);
  return dir ? resolve(cwd, dir) : null;
}
