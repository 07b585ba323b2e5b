// Checked before merging, so that a bad -o or --report-json path is a one-line usage error
// rather than a merge that cannot be written.

import { accessSync, constants, realpathSync, statSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { errnoWords } from "../io/errnoWords";

/**
 * Why the result cannot be written to `file`, or null when it can be. `writable`: also check
 * that its directory takes the temporary file (for -o and the report: a usage error). Not for
 * Git's %A, a file Git has just written in its own directory: a write that fails there stops
 * the merge (EXIT_ABORT_MERGE), never a usage error that would leave plain ours.
 */
export function outputProblem(file: string, what: string, writable = true): string | null {
  let real = resolve(file);
  try {
    const st = statSync(file);
    if (!st.isFile()) return `the ${what} ${JSON.stringify(file)} is ${st.isDirectory() ? "a directory" : "not a regular file"}; give a file path`;
    real = realpathSync(file);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== "ENOENT") return `cannot write the ${what} ${JSON.stringify(file)} (${errnoWords(e as NodeJS.ErrnoException)}); give a writable file path`;
  }
  // The result is written to a temporary file beside the file (its target, for a link), then renamed.
  const dir = dirname(real);
  try {
    if (!statSync(dir).isDirectory()) return noDirectory(file, what);
  } catch {
    return noDirectory(file, what);
  }
  try {
    if (writable) accessSync(dir, constants.W_OK);
  } catch {
    return `the ${what} ${JSON.stringify(file)} cannot be written: its directory is not writable; give a path in a writable directory`;
  }
  return null;
}

function noDirectory(file: string, what: string): string {
  return `the directory of the ${what} ${JSON.stringify(file)} does not exist; create it or give another path`;
}
