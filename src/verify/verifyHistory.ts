// `verify` over history: every merge commit of a range, every state file it touched, checked
// against the driver's structured merge of its base and parents.

import type { Repo } from "../git/indexStages";
import type { MergeSettings } from "../pipeline/mergeTexts";
import { wholeFileFinding, type Finding } from "./findings";
import { fileBases } from "./fileBases";
import { blobKey, changedBlobs, commitSubjects, mergeBases, mergesInRange, readBlobs, type BlobRequest, type MergeCommit } from "./gitHistory";
import { contentIsState, declaredAmong } from "./stateFileSelection";
import { mergeSettingsFor } from "./structuredMerge";
import { verifyFileMerge } from "./verifyFile";

export type Status = "pass" | "fail" | "unverifiable";

export interface FileReport {
  path: string;
  status: Status;
  findings: Finding[];
}

export interface MergeReport {
  commit: string;
  parents: string[];
  subject: string;
  status: Status;
  files: FileReport[];
}

export interface HistoryReport {
  /** Merge commits in the range (those that touched no state file included). */
  mergesSeen: number;
  /** The merges that touched a state file, oldest first. */
  merges: MergeReport[];
}

export function worstStatus(statuses: Iterable<Status>): Status {
  let worst: Status = "pass";
  for (const s of statuses) {
    if (s === "fail") return "fail";
    if (s === "unverifiable") worst = s;
  }
  return worst;
}

/** Per path: the merge settings the driver would use (the policy file read once per path). */
export function settingsLookup(repo: Repo): (path: string) => Partial<MergeSettings> | { problem: string } {
  const cache = new Map<string, Partial<MergeSettings> | { problem: string }>();
  return (path) => {
    if (!cache.has(path)) cache.set(path, mergeSettingsFor(repo.top, path));
    return cache.get(path)!;
  };
}

interface Touched {
  /** Blob ids per parent and in the result; null where the file does not exist. */
  parents: (string | null)[];
  result: string | null;
}

/** The files a merge's result differs in from any parent, with their blob ids. */
function touchedFiles(repo: Repo, merge: MergeCommit): Map<string, Touched> {
  const diffs = merge.parents.map((p) => changedBlobs(repo.top, p, merge.commit));
  const touched = new Map<string, Touched>();
  for (const diff of diffs) {
    for (const [path, [, resultId]] of diff) {
      if (touched.has(path)) continue;
      // A parent the result does not differ from holds the result's blob.
      touched.set(path, { result: resultId, parents: diffs.map((d) => (d.has(path) ? d.get(path)![0] : resultId)) });
    }
  }
  return touched;
}

/** The touched files that are state: declared by attributes or name, or NixOps exports by content. */
function stateFilesAmong(repo: Repo, touched: Map<string, Touched>): string[] {
  const paths = [...touched.keys()];
  const declared = declaredAmong(repo, paths);
  const undeclared = paths.filter((p) => !declared.has(p));
  const requests: BlobRequest[] = undeclared.flatMap((path) => {
    const t = touched.get(path)!;
    return [t.result, ...t.parents].flatMap((id) => (id ? [{ id, path }] : []));
  });
  const blobs = readBlobs(repo.top, requests);
  const sniffed = undeclared.filter((path) => requests.some((r) => r.path === path && contentIsState(blobs.get(blobKey(r)) ?? Buffer.alloc(0))));
  return paths.filter((p) => declared.has(p) || sniffed.includes(p));
}

export function verifyMergeCommit(repo: Repo, merge: MergeCommit, subject: string, settingsFor = settingsLookup(repo)): MergeReport | null {
  const touched = touchedFiles(repo, merge);
  const stateFiles = stateFilesAmong(repo, touched);
  if (stateFiles.length === 0) return null;
  const report = (files: FileReport[]): MergeReport => ({ commit: merge.commit, parents: merge.parents, subject, status: worstStatus(files.map((f) => f.status)), files });

  if (merge.parents.length !== 2) {
    const reason = `an octopus merge of ${merge.parents.length} parents: the driver never makes these, so the result cannot be checked; merge the branches one at a time`;
    return report(stateFiles.map((path) => ({ path, status: "unverifiable", findings: [wholeFileFinding("unverifiable", reason)] })));
  }
  const bases = fileBases(repo.top, mergeBases(repo.top, merge.parents[0], merge.parents[1]), stateFiles, settingsFor);
  const requests = stateFiles.flatMap((path) => {
    const t = touched.get(path)!;
    return [t.result, ...t.parents].flatMap((id) => (id ? [{ id, path }] : []));
  });
  const blobs = readBlobs(repo.top, requests);
  const blob = (id: string | null, path: string) => (id === null ? null : blobs.get(blobKey({ id, path })) ?? null);

  const files: FileReport[] = stateFiles.map((path) => {
    const t = touched.get(path)!;
    const base = bases.get(path)!;
    if (base.kind === "unverifiable") return { path, status: "unverifiable", findings: [wholeFileFinding("unverifiable", base.reason)] };
    const settings = settingsFor(path);
    if ("problem" in settings) return { path, status: "unverifiable", findings: [wholeFileFinding("unverifiable", settings.problem)] };
    const verdict = verifyFileMerge({ base: base.data, ours: blob(t.parents[0], path), theirs: blob(t.parents[1], path), result: blob(t.result, path) }, settings);
    return { path, status: verdict.status, findings: verdict.status === "pass" ? [] : verdict.findings };
  });
  return report(files);
}

export function verifyHistory(repo: Repo, range: readonly string[]): HistoryReport {
  const merges = mergesInRange(repo.top, range);
  const subjects = commitSubjects(repo.top, merges.map((m) => m.commit));
  const settingsFor = settingsLookup(repo);
  const reports: MergeReport[] = [];
  for (const merge of merges) {
    const r = verifyMergeCommit(repo, merge, subjects.get(merge.commit) ?? "", settingsFor);
    if (r) reports.push(r);
  }
  return { mergesSeen: merges.length, merges: reports };
}
