// `verify --pr <target> <head>`: before anyone presses the forge's merge button, what the
// forge's line merge of each state file would give (merge commit and squash: one three-way
// merge; rebase: head's commits replayed one by one) against what the driver gives.

import type { Repo } from "../git/indexStages";
import type { Path } from "../core/values";
import { wholeFileFinding, type Finding } from "./findings";
import { fileBases, type FileBase } from "./fileBases";
import { blobKey, changedBlobs, commitsToReplay, mergeBases, readBlobs, renamedPaths, resolveCommit } from "./gitHistory";
import { lineMerge } from "./lineMerge";
import { declaredStateFiles } from "../view/stateFiles";
import { stateRowOf } from "../view/stateContent";
import { structuredMerge, type FileMergeSettings } from "./structuredMerge";
import { compareWithResult } from "./verifyFile";
import { settingsLookup, worstStatus, type SettingsLookup, type Status } from "./verifyHistory";

export type PrVerdict =
  /** The forge's line merge and the driver agree as state. */
  | "agree"
  /** The forge would merge the file without conflicts, but not as the driver does. */
  | "forge-wrong"
  /** Both sides changed the same thing: only a person can settle it. */
  | "true-conflicts"
  /** The forge's line merge conflicts although the driver merges cleanly. */
  | "forge-cannot-merge"
  | "unverifiable";

export interface PrFileReport {
  path: string;
  status: Status;
  verdict: PrVerdict;
  /** One line: what to do. */
  summary: string;
  findings: Finding[];
  /** Something worth knowing that does not fail the check (a rebase the forge cannot do). */
  notes: string[];
}

export interface PrReport {
  target: string;
  head: string;
  base: string[];
  files: PrFileReport[];
  status: Status;
}

const LOCAL_MERGE = "merge locally with the driver (git merge) and push";

export function verifyPullRequest(repo: Repo, targetRev: string, headRev: string): PrReport {
  const target = resolveCommit(repo.top, targetRev);
  const head = resolveCommit(repo.top, headRev);
  const bases = mergeBases(repo.top, target, head);
  const files: PrFileReport[] = [];
  const settingsFor = settingsLookup(repo);
  const from = bases.length === 1 ? bases[0] : null;
  // Files both sides changed; a file only one side changed the forge takes whole, as the driver does.
  const headChanges = from ? changedBlobs(repo.top, from, head) : changedBlobs(repo.top, target, head);
  const targetChanges = from ? changedBlobs(repo.top, from, target) : headChanges;
  const both = [...headChanges.keys()].filter((p) => targetChanges.has(p));
  let state = stateFiles(repo, both, headChanges);
  // Each side's version of a file (null: absent). With several bases the changes are target's against head's.
  const targetBlob = (path: string) => (from ? targetChanges.get(path)?.[1] : headChanges.get(path)?.[0]) ?? null;
  const headBlob = (path: string) => headChanges.get(path)?.[1] ?? null;
  const ids = new Map(state.map((path) => [path, [targetBlob(path), headBlob(path)]]));
  // A file one side renamed is merged with the other side's version at its old path, as the
  // forge's merge follows renames, and checked under that old path.
  if (state.some((path) => ids.get(path)!.includes(null))) {
    const [targetRenames, headRenames] = sideRenames(repo.top, bases, target, head);
    const destinations = new Set<string>();
    for (const [path, pair] of ids) {
      for (const [side, renames, blob] of [[0, targetRenames, targetBlob], [1, headRenames, headBlob]] as const) {
        const to = renames.get(path);
        if (pair[side] !== null || to === undefined) continue;
        pair[side] = blob(to);
        destinations.add(to);
      }
    }
    // With several bases the new path differs between target and head too: it is the same file.
    if (!from) state = state.filter((path) => !destinations.has(path) || ids.get(path)!.every((id) => id !== null));
  }
  const fileBase = fileBases(repo.top, bases, state, settingsFor);
  for (const path of state) {
    const [targetId, headId] = ids.get(path)!;
    files.push(checkFile(repo, path, fileBase.get(path)!, targetId, headId, from, head, settingsFor));
  }
  return { target, head, base: bases, files, status: worstStatus(files.map((f) => f.status)) };
}

/**
 * What target and what head renamed since the merge base, old path to new. With several bases
 * (criss-cross) each is asked in turn, a path taking the first rename any base shows, as
 * `verify` does for merges in history.
 */
function sideRenames(top: string, bases: readonly string[], target: string, head: string): [Map<string, string>, Map<string, string>] {
  const found: [Map<string, string>, Map<string, string>] = [new Map(), new Map()];
  for (const base of bases) {
    [target, head].forEach((side, i) => {
      for (const [old, to] of renamedPaths(top, base, side)) if (!found[i].has(old)) found[i].set(old, to);
    });
  }
  return found;
}

function stateFiles(repo: Repo, paths: string[], headChanges: Map<string, [string | null, string | null]>): string[] {
  const declared = declaredStateFiles(repo, [...paths]);
  const undeclared = paths.filter((p) => !declared.has(p));
  const requests = undeclared.flatMap((path) => headChanges.get(path)!.flatMap((id) => (id ? [{ id, path }] : [])));
  const blobs = readBlobs(repo.top, requests);
  return paths.filter((p) => declared.has(p) || requests.some((r) => r.path === p && stateRowOf(blobs.get(blobKey(r)) ?? Buffer.alloc(0)) !== null));
}

function report(path: string, verdict: PrVerdict, summary: string, findings: Finding[] = [], notes: string[] = []): PrFileReport {
  const status: Status = verdict === "agree" ? "pass" : verdict === "unverifiable" ? "unverifiable" : "fail";
  return { path, status, verdict, summary, findings, notes };
}

function checkFile(
  repo: Repo,
  path: string,
  base: FileBase,
  targetId: string | null,
  headId: string | null,
  from: string | null,
  head: string,
  settingsFor: SettingsLookup,
): PrFileReport {
  if (base.kind === "unverifiable") return report(path, "unverifiable", base.reason, [wholeFileFinding("unverifiable", base.reason)]);
  const settings = settingsFor(path);
  if ("problem" in settings) return report(path, "unverifiable", settings.problem, [wholeFileFinding("unverifiable", settings.problem)]);
  if (targetId === null || headId === null) {
    const why = "deleted on one side and changed on the other: a true conflict at the whole file";
    return report(path, "true-conflicts", `${why}; ${LOCAL_MERGE}`, [wholeFileFinding("unverifiable", why)]);
  }
  const blobs = readBlobs(repo.top, [
    { id: targetId, path },
    { id: headId, path },
  ]);
  const ours = blobs.get(blobKey({ id: targetId, path }))!;
  const theirs = blobs.get(blobKey({ id: headId, path }))!;
  const driver = structuredMerge({ base: base.data ?? "", ours, theirs }, settings);
  if (driver.kind === "unmergeable") {
    const why = `the driver cannot merge this file structurally (${driver.reason})`;
    return report(path, "unverifiable", why, [wholeFileFinding("unverifiable", why)]);
  }
  const trueConflicts = driver.conflictPaths.length;
  const conflictPlaces = (paths: readonly Path[]) => paths.map((p) => driver.profile.describePath(p, driver.documents)).join("; ");

  const line = lineMerge(base.data, ours, theirs);
  if (line.conflicts > 0) {
    if (trueConflicts > 0) return report(path, "true-conflicts", `there are true conflicts (${conflictPlaces(driver.conflictPaths)}): ${LOCAL_MERGE}`);
    return report(path, "forge-cannot-merge", `the forge's line merge conflicts here, the driver merges it cleanly: ${LOCAL_MERGE}`);
  }
  const verdict = compareWithResult(driver, line.text);
  const findings = verdict.status === "pass" ? [] : verdict.findings;
  const notes: string[] = [];
  const replayed = from && trueConflicts === 0 && findings.length === 0 ? replayCheck(repo, path, from, head, ours, settings) : null;
  if (replayed?.kind === "note") notes.push(replayed.note);
  const replayFindings = replayed?.kind === "findings" ? replayed.findings : [];

  if (trueConflicts > 0) {
    const wrong = findings.length ? `the forge would merge this cleanly but wrongly (${briefly(findings)}); ` : "";
    return report(path, "true-conflicts", `${wrong}there are true conflicts (${conflictPlaces(driver.conflictPaths)}): ${LOCAL_MERGE}`, findings, notes);
  }
  if (findings.length > 0) return report(path, "forge-wrong", `the forge would merge this cleanly but wrongly (${briefly(findings)}): ${LOCAL_MERGE}`, findings, notes);
  if (replayFindings.length > 0) {
    return report(path, "forge-wrong", `a rebase merge on the forge would replay head's commits into a wrong result (${briefly(replayFindings)}): use a merge commit, or ${LOCAL_MERGE}`, replayFindings, notes);
  }
  return report(path, "agree", "the forge's line merge and the driver agree", [], notes);
}

/** "stitched app2, lost update db1": the kind and the record of each finding, short. */
function briefly(findings: readonly Finding[]): string {
  const words = findings.map((f) => {
    const record = f.path[1] === "resources" && f.path[2] !== undefined ? f.path[2] : f.path[f.path.length - 1] ?? "the file";
    return `${f.kind.replace("-", " ")} ${record}`;
  });
  const unique = [...new Set(words)];
  return unique.length > 3 ? `${unique.slice(0, 3).join(", ")} and ${unique.length - 3} more` : unique.join(", ");
}

type Replay = { kind: "findings"; findings: Finding[] } | { kind: "note"; note: string };

/**
 * A rebase merge replays head's commits onto target one at a time, each a line merge of the
 * commit's own change. Only when more than one of them changed the file can that differ
 * from the single merge; then the replayed result is checked against the driver's merge.
 */
function replayCheck(repo: Repo, path: string, from: string, head: string, target: Buffer, settings: FileMergeSettings): Replay | null {
  const steps = commitsToReplay(repo.top, from, head).flatMap((c) => {
    const change = c.parents.length === 1 ? changedBlobs(repo.top, c.parents[0], c.commit).get(path) : undefined;
    return change ? [{ commit: c.commit, change }] : [];
  });
  if (steps.length < 2) return null;
  const ids = steps.map((s) => s.change);
  const blobs = readBlobs(repo.top, ids.flatMap((pair) => pair.flatMap((id) => (id ? [{ id, path }] : []))));
  const blob = (id: string | null) => (id === null ? null : blobs.get(blobKey({ id, path })) ?? null);
  let current = target;
  let driverCurrent: Buffer | string = target;
  for (const [i, [before, after]] of ids.entries()) {
    const afterBlob = blob(after);
    if (afterBlob === null) return { kind: "note", note: `a rebase merge would replay commit ${steps[i].commit.slice(0, 12)}, which deletes the file: not checked` };
    const step = lineMerge(blob(before), current, afterBlob);
    if (step.conflicts > 0) return { kind: "note", note: `the forge cannot rebase this branch: replaying ${steps[i].commit.slice(0, 12)} conflicts in this file (a merge commit or squash is fine)` };
    current = step.text;
    const driverStep = structuredMerge({ base: blob(before) ?? "", ours: driverCurrent, theirs: afterBlob }, settings);
    if (driverStep.kind === "unmergeable") return { kind: "note", note: `the replay of ${steps[i].commit.slice(0, 12)} cannot be merged structurally: rebase merge not checked` };
    if (driverStep.conflictPaths.length > 0) return { kind: "note", note: `replaying ${steps[i].commit.slice(0, 12)} meets a true conflict: rebase merge not checked` };
    const verdict = compareWithResult(driverStep, current);
    if (verdict.status !== "pass") return { kind: "findings", findings: verdict.findings };
    driverCurrent = driverStep.text;
  }
  return null;
}
