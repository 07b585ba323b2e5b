// The policy file at the top of the work tree: read-only, looked up once per merge. Git runs
// merge drivers with the top of the work tree as the current directory.

import { readFileSync } from "node:fs";
import { isAbsolute, join, relative } from "node:path";
import { parsePolicy, type ParsedPolicy } from "./parsePolicy";
import { formatProblem, POLICY_FILE_NAME, type PolicyEntry, type Problem } from "./policyTypes";
import { matchesFileGlob } from "./fileGlob";
import { settingsForEntry, type PolicySettings } from "./settingsForEntry";

/** The parsed policy file of a work tree; null when there is none. */
export function readPolicyFile(repoRoot: string): ParsedPolicy | null {
  let text: string;
  try {
    text = readFileSync(join(repoRoot, POLICY_FILE_NAME), "utf8");
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return null;
    const problem: Problem = { file: POLICY_FILE_NAME, line: 1, message: `cannot be read (${(e as Error).message}); check its permissions` };
    return { policy: { file: POLICY_FILE_NAME, entries: [] }, problems: [problem] };
  }
  return parsePolicy(text, POLICY_FILE_NAME);
}

/** Every mistake in the work tree's policy file (none when there is no file): for `doctor`. */
export function validatePolicyFile(repoRoot: string): Problem[] {
  return readPolicyFile(repoRoot)?.problems ?? [];
}

/** The path Git names (%P), or a file given by hand, as a "/"-separated repository path. */
export function repositoryPath(repoRoot: string, file: string): string {
  const rel = isAbsolute(file) ? relative(repoRoot, file) : file;
  return rel.split("\\").join("/").replace(/^\.\//, "");
}

export type PolicyLookup = { settings: PolicySettings; entry: PolicyEntry | null } | { problem: string };

/**
 * The merge settings the policy file gives `file` (empty without a file or a matching entry).
 * A policy file with any mistake is not used: the merge falls back, naming the first one.
 */
export function policySettingsFor(repoRoot: string, file: string): PolicyLookup {
  const read = readPolicyFile(repoRoot);
  if (!read) return { settings: {}, entry: null };
  if (read.problems.length > 0) {
    const more = read.problems.length > 1 ? ` (and ${read.problems.length - 1} more; run statefile-merge doctor)` : "";
    return { problem: `the policy file is not usable: ${formatProblem(read.problems[0])}${more}` };
  }
  const path = repositoryPath(repoRoot, file);
  const entry = read.policy.entries.find((e) => matchesFileGlob(path, e.glob)) ?? null;
  return { settings: entry ? settingsForEntry(entry) : {}, entry };
}
