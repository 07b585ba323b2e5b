// The policy file at the top of the work tree: read-only. Only the file view (view/fileView.ts)
// asks it which entry applies to a file; doctor asks it for every mistake.

import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parsePolicy, type ParsedPolicy } from "./parsePolicy";
import { POLICY_FILE_NAME, type Problem } from "./policyTypes";

/** The parsed policy file of a work tree; null when there is none. */
export function readPolicyFile(repoRoot: string): ParsedPolicy | null {
  let text: string;
  try {
    text = readFileSync(join(repoRoot, POLICY_FILE_NAME), "utf8");
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return null;
    const problem: Problem = { file: POLICY_FILE_NAME, line: 1, message: `cannot be read (${(e as Error).message}); check its permissions` };
    return { policy: { file: POLICY_FILE_NAME, entries: [] }, problems: [problem], secretNamesWritten: [] };
  }
  return parsePolicy(text, POLICY_FILE_NAME);
}

/** Every mistake in the work tree's policy file (none when there is no file): for `doctor`. */
export function validatePolicyFile(repoRoot: string): Problem[] {
  return readPolicyFile(repoRoot)?.problems ?? [];
}
