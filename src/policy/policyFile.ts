// The policy file at the top of the work tree: read-only. Only the file view (view/fileView.ts)
// asks it which entry applies to a file; doctor asks it for every mistake.

import { lstatSync, readFileSync, readlinkSync } from "node:fs";
import { join } from "node:path";
import { parsePolicy, type ParsedPolicy } from "./parsePolicy";
import { POLICY_FILE_NAME, type Problem } from "./policyTypes";

/** The parsed policy file of a work tree; null when there is none. */
export function readPolicyFile(repoRoot: string): ParsedPolicy | null {
  let text: string;
  try {
    text = readFileSync(join(repoRoot, POLICY_FILE_NAME), "utf8");
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const dangling = code === "ENOENT" || code === "ELOOP" || code === "ENOTDIR" ? danglingLink(join(repoRoot, POLICY_FILE_NAME)) : null;
    if (code === "ENOENT" && dangling === null) return null;
    // A link to nothing is a policy the team meant to apply, not the absence of one.
    const loop = code === "ELOOP" ? " (its links form a loop)" : "";
    const message = dangling !== null ? `is a symbolic link to ${JSON.stringify(dangling)}, which leads to no file${loop}; fix the link or remove it` : `cannot be read (${(e as Error).message}); check its permissions`;
    const problem: Problem = { file: POLICY_FILE_NAME, line: 1, message };
    return { policy: { file: POLICY_FILE_NAME, entries: [] }, problems: [problem], secretNamesWritten: [] };
  }
  return parsePolicy(text, POLICY_FILE_NAME);
}

/** Where a symbolic link at `file` points, when it is one; null when there is no link there. */
function danglingLink(file: string): string | null {
  try {
    return lstatSync(file).isSymbolicLink() ? readlinkSync(file) : null;
  } catch {
    return null;
  }
}

/** Every mistake in the work tree's policy file (none when there is no file): for `doctor`. */
export function validatePolicyFile(repoRoot: string): Problem[] {
  return readPolicyFile(repoRoot)?.problems ?? [];
}
