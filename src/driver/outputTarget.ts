// Checked before merging, so that a bad -o or --report-json path is a one-line usage error
// rather than a merge that cannot be written.

import { statSync } from "node:fs";
import { dirname, resolve } from "node:path";

/** Why the result cannot be written to `file`, or null when it can be. */
export function outputProblem(file: string, what: string): string | null {
  try {
    const st = statSync(file);
    return st.isFile() ? null : `the ${what} ${JSON.stringify(file)} is ${st.isDirectory() ? "a directory" : "not a regular file"}; give a file path`;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== "ENOENT") return `cannot write the ${what} ${JSON.stringify(file)} (${(e as NodeJS.ErrnoException).code}); give a writable file path`;
  }
  try {
    if (statSync(dirname(resolve(file))).isDirectory()) return null;
  } catch {
    // Falls through to the message below.
  }
  return `the directory of the ${what} ${JSON.stringify(file)} does not exist; create it or give another path`;
}
