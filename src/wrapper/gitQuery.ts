// Questions the wrapper asks git about the state file's repository. The wrapper also runs on
// a state file outside any repository, or with no git installed: then the answer is null.

import { dirname, resolve } from "node:path";
import { GitError, gitText } from "../git/run";

/** git's output without the final newline, or null when git failed or could not run. */
export function askGit(cwd: string, args: string[]): string | null {
  try {
    return gitText(cwd, args);
  } catch (e) {
    if (e instanceof GitError) return null;
    throw e;
  }
}

/** The top of the work tree holding a file (which need not exist yet), or null outside one. */
export function workTreeOf(file: string): string | null {
  return askGit(dirname(resolve(file)), ["rev-parse", "--show-toplevel"]);
}
