// Questions the wrapper asks git about the state file's repository. The wrapper also runs on
// a state file outside any repository, or with no git installed: then the answer is null.

import { dirname, resolve } from "node:path";
import { commonGitDir } from "../git/commonDir";
import { GitError, gitText } from "../git/run";

/** The answer, or null when git could not run (a failing git answers null itself). */
function unlessGitCannotRun(ask: () => string | null): string | null {
  try {
    return ask();
  } catch (e) {
    if (e instanceof GitError) return null;
    throw e;
  }
}

/** git's output without the final newline, or null when git failed or could not run. */
export function askGit(cwd: string, args: string[]): string | null {
  return unlessGitCannotRun(() => gitText(cwd, args));
}

/** The common Git directory (shared by a repository's worktrees) of the repository holding a file, or null outside one. */
export function commonGitDirOf(file: string): string | null {
  return unlessGitCannotRun(() => commonGitDir(dirname(resolve(file))));
}

/** The top of the work tree holding a file (which need not exist yet), or null outside one. */
export function workTreeOf(file: string): string | null {
  return askGit(dirname(resolve(file)), ["rev-parse", "--show-toplevel"]);
}
