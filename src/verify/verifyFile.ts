// One state file of one merge: its base, both parents and the committed result (null where
// the file does not exist) against the driver's structured merge of the same three. No Git.

import { checkMergedState } from "./checkMergedState";
import { wholeFileFinding, type Finding } from "./findings";
import { readMergedState } from "./readMergedState";
import { KIND_RULES } from "./kindRules";
import { buildProfile } from "../profiles/table";
import { structuredMerge, type StructuredMerge, type FileMergeSettings } from "./structuredMerge";

export interface FileVersions {
  base: Buffer | null;
  ours: Buffer | null;
  theirs: Buffer | null;
  result: Buffer | null;
}

export type FileVerdict =
  | { status: "pass"; note?: string }
  | { status: "fail"; findings: Finding[] }
  | { status: "unverifiable"; findings: Finding[] };

const same = (a: Buffer | null, b: Buffer | null) => (a === null ? b === null : b !== null && a.equals(b));
const fail = (findings: Finding[]): FileVerdict => (findings.length ? { status: "fail", findings } : { status: "pass" });
const unverifiable = (reason: string): FileVerdict => ({ status: "unverifiable", findings: [wholeFileFinding("unverifiable", reason)] });

export function verifyFileMerge(v: FileVersions, settings: FileMergeSettings): FileVerdict {
  const { base, ours, theirs, result } = v;
  // What Git itself settles without any driver: one side changed (or both alike).
  const trivial = same(ours, theirs) ? ours : same(base, ours) ? theirs : same(base, theirs) ? ours : undefined;
  if (trivial !== undefined && same(result, trivial)) return { status: "pass" };
  if (ours === null || theirs === null) return wholeFileChange(v, trivial, settings);
  if (result === null) return fail([wholeFileFinding("lost-update", "lost update: the result deleted the file although neither side did")]);

  const merged = structuredMerge({ base: base ?? "", ours, theirs }, settings);
  if (merged.kind === "unmergeable") return unverifiable(`the driver cannot merge this file structurally (${merged.reason}), so the result cannot be checked`);
  return compareWithResult(merged, result);
}

/** The committed result against a structured merge: byte-equal passes at once, else compared as state. */
export function compareWithResult(merged: Extract<StructuredMerge, { kind: "merged" }>, result: Buffer | string): FileVerdict {
  const resultText = typeof result === "string" ? result : result.toString("utf8");
  if (merged.conflictPaths.length === 0 && resultText === merged.text) return { status: "pass" };
  const read = readMergedState(resultText, merged.profile);
  if (read.kind === "invalid") return fail([wholeFileFinding("invalid", `the result ${read.reason}`)]);
  const expected = readMergedState(merged.text, merged.profile);
  if (expected.kind === "invalid") return unverifiable(`the structured merge ${expected.reason}`);
  const [base, ours, theirs] = merged.documents;
  // What the findings quote is hidden by the secrets every version marks, the result's too
  // (a Terraform attribute the committed result itself lists as sensitive).
  const profile = buildProfile(merged.profile.row, merged.profile.overlay, [...merged.documents, read.value]);
  const findings = checkMergedState(
    { base, ours, theirs, expected: expected.value, conflictPaths: merged.conflictPaths, result: read.value, resultDuplicates: read.duplicates },
    profile,
  );
  const rules = KIND_RULES[merged.profile.row.layout];
  for (const problem of rules ? rules([ours, theirs], read.value) : []) findings.push(wholeFileFinding("state-rule", problem));
  return fail(findings);
}

/** The file is missing on one side (or both): added, deleted, or deleted against a change. */
function wholeFileChange(v: FileVersions, trivial: Buffer | null | undefined, settings: FileMergeSettings): FileVerdict {
  const { ours, theirs, result } = v;
  if (trivial === null) {
    const deleter = ours === null ? "ours" : "theirs";
    return fail([wholeFileFinding("lost-update", `lost update: ${deleter} deleted the file; the result still has it`)]);
  }
  if (trivial !== undefined && result !== null) {
    // Added on one side only: the result must be that file, as state.
    const merged = structuredMerge({ base: "", ours: trivial, theirs: trivial }, settings);
    if (merged.kind === "merged") return compareWithResult(merged, result);
  }
  if (trivial !== undefined) {
    const side = same(trivial, ours) ? "ours" : "theirs";
    return fail([wholeFileFinding("lost-update", `lost update: ${side} ${v.base === null ? "added" : "changed"} the file; the result ${result === null ? "deleted it" : "has other content"}`)]);
  }
  // Deleted on one side, changed on the other: a true conflict at the whole file.
  if (result === null || same(result, ours) || same(result, theirs)) return { status: "pass" };
  return unverifiable("deleted on one side and changed on the other; the result keeps a version neither side has");
}
