// `verify` over history: every merge commit of a range, every state file it touched, checked
// against the driver's structured merge of its base and parents.

import type { Repo } from "../git/indexStages";
import { wholeFileFinding, type Finding } from "./findings";
import { fileBases, type FileBase } from "./fileBases";
import { blobKey, blobsAt, changesAgainstParents, commitSubjects, mergeBases, mergesInRange, objectInfo, readBlobs, renamedPaths, type BlobChanges, type BlobRequest, type MergeCommit } from "./gitHistory";
import { declaredStateFiles } from "../view/stateFiles";
import { stateRowOf } from "../view/stateContent";
import { mergeSettingsFor, type FileMergeSettings } from "./structuredMerge";
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

export type SettingsLookup = (path: string) => FileMergeSettings | { problem: string };

/** Per path: the merge settings the driver would use (the policy file read once per path). */
export function settingsLookup(repo: Repo): SettingsLookup {
  const cache = new Map<string, FileMergeSettings | { problem: string }>();
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
function touchedFiles(diffs: readonly BlobChanges[]): Map<string, Touched> {
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

/** Paths git's batch commands can be asked about (one per line). */
const readable = (path: string) => !path.includes("\n");

const versionsOf = (path: string, t: Touched): BlobRequest[] => [t.result, ...t.parents].flatMap((id) => (id ? [{ id, path }] : []));

/** Reads are grouped so that no more than this many bytes of blobs are held at once. */
const CHUNK_BYTES = 64 * 1024 * 1024;

/** Blobs read in bounded groups through one `git cat-file --batch --filters` per group. */
function readInChunks<T>(top: string, items: readonly T[], requestsOf: (item: T) => BlobRequest[], sizeOf: (r: BlobRequest) => number, use: (item: T, blob: (r: BlobRequest) => Buffer | null) => void): void {
  let start = 0;
  while (start < items.length) {
    let end = start;
    let bytes = 0;
    const requests: BlobRequest[] = [];
    do {
      const wanted = requestsOf(items[end]);
      requests.push(...wanted);
      bytes += wanted.reduce((n, r) => n + sizeOf(r), 0);
      end++;
    } while (end < items.length && bytes < CHUNK_BYTES);
    const blobs = readBlobs(top, requests);
    for (const item of items.slice(start, end)) use(item, (r) => blobs.get(blobKey(r)) ?? null);
    start = end;
  }
}

/** Which touched files are state: declared by attributes or name, or a kind of state by content (each blob read once). */
function stateFilesOf(repo: Repo, touchedByMerge: readonly Map<string, Touched>[]): Set<string>[] {
  const paths = [...new Set(touchedByMerge.flatMap((t) => [...t.keys()]))];
  const declared = declaredStateFiles(repo, [...paths]);
  const toSniff = [...new Map(touchedByMerge.flatMap((t) => [...t].filter(([p]) => !declared.has(p)).flatMap(([p, v]) => versionsOf(p, v))).map((r) => [blobKey(r), r])).values()];
  const sizes = objectInfo(repo.top, toSniff.map((r) => r.id));
  const sizeOf = new Map(toSniff.map((r, i) => [blobKey(r), sizes[i]?.size ?? 0]));
  const isState = new Set<string>();
  readInChunks(repo.top, toSniff, (r) => [r], (r) => sizeOf.get(blobKey(r)) ?? 0, (r, blob) => {
    const data = blob(r);
    if (data && stateRowOf(data) !== null) isState.add(blobKey(r));
  });
  return touchedByMerge.map((t) => new Set([...t].filter(([p, v]) => declared.has(p) || versionsOf(p, v).some((r) => isState.has(blobKey(r)))).map(([p]) => p)));
}

interface Planned {
  merge: MergeCommit;
  subject: string;
  touched: Map<string, Touched>;
  /** Renamed ones under their new path only (followRenames). */
  stateFiles: string[];
  /** The merge's bases (git merge-base --all). */
  bases: string[];
  /** With one base: the file's blob there (null: absent). */
  baseIds: Map<string, string | null>;
  /** With several bases: a file one parent renamed, by its new path, at its path in the bases (followRenames). */
  renamedFrom: Map<string, string>;
}

export function verifyHistory(repo: Repo, range: readonly string[]): HistoryReport {
  const merges = mergesInRange(repo.top, range);
  const subjects = commitSubjects(repo.top, merges.map((m) => m.commit));
  const settingsFor = settingsLookup(repo);
  const touchedByMerge = changesAgainstParents(repo.top, merges).map(touchedFiles);
  const stateByMerge = stateFilesOf(repo, touchedByMerge);

  const planned: Planned[] = [];
  merges.forEach((merge, i) => {
    const stateFiles = [...stateByMerge[i]];
    if (stateFiles.length === 0) return;
    const bases = merge.parents.length === 2 ? mergeBases(repo.top, merge.parents[0], merge.parents[1]) : [];
    planned.push({ merge, subject: subjects.get(merge.commit) ?? "", touched: touchedByMerge[i], stateFiles, bases, baseIds: new Map(), renamedFrom: new Map() });
  });
  // The file at each single merge base, and every version's size, from one batch-check.
  const single = planned.filter((p) => p.merge.parents.length === 2 && p.bases.length === 1);
  const baseSpecs = single.flatMap((p) => p.stateFiles.filter(readable).map((path) => ({ p, path, spec: `${p.bases[0]}:${path}` })));
  const baseInfo = objectInfo(repo.top, baseSpecs.map((b) => b.spec));
  baseSpecs.forEach((b, i) => b.p.baseIds.set(b.path, baseInfo[i]?.id ?? null));
  for (const p of planned) if (p.merge.parents.length === 2 && p.bases.length > 0) followRenames(repo, p);
  const requestsOf = (p: Planned): BlobRequest[] =>
    p.stateFiles.filter(readable).flatMap((path) => [...versionsOf(path, p.touched.get(path)!), ...(p.baseIds.get(path) ? [{ id: p.baseIds.get(path)!, path }] : [])]);
  const all = planned.flatMap(requestsOf);
  const sizes = objectInfo(repo.top, all.map((r) => r.id));
  const sizeOf = new Map(all.map((r, i) => [blobKey(r), sizes[i]?.size ?? 0]));

  const reports: MergeReport[] = [];
  readInChunks(repo.top, planned, requestsOf, (r) => sizeOf.get(blobKey(r)) ?? 0, (p, blob) => {
    reports.push(verifyPlanned(repo, p, blob, settingsFor));
  });
  return { mergesSeen: merges.length, merges: reports };
}

/**
 * A state file one parent renamed (as Git's merge follows it, the content merged under the new
 * path): the base's and the other parent's versions are read at the old path, and the old path
 * is not checked on its own. Renames are found against the first merge base that shows one;
 * with several bases (criss-cross), the file's base is then built from every base's version at
 * the old path (bases that disagree on whether it exists make the file unverifiable).
 */
function followRenames(repo: Repo, p: Planned): void {
  const single = p.bases.length === 1;
  const results = p.stateFiles.filter((path) => p.touched.get(path)!.result !== null);
  // Files no base holds: with one base its blob is known; with several, asked of each.
  const held = single ? null : p.bases.map((b) => blobsAt(repo.top, b, results));
  const added = results.filter((path) => (held === null ? p.baseIds.get(path) === null : held.every((m) => !m.has(path))));
  if (added.length === 0) return;
  // Each base's renames towards each parent, asked only when an earlier base showed none.
  const perBase: Array<Array<Map<string, string>>> = [];
  const renamesFrom = (k: number) => (perBase[k] ??= p.merge.parents.map((parent) => renamedPaths(repo.top, p.bases[k], parent)));
  const sources = new Set<string>();
  for (const path of added) {
    const k = p.bases.findIndex((_, i) => renamesFrom(i).some((r) => [...r.values()].includes(path)));
    if (k < 0) continue;
    const renames = renamesFrom(k);
    const j = renames.findIndex((r) => [...r.values()].includes(path));
    const old = [...renames[j]].find(([, to]) => to === path)![0];
    const t = p.touched.get(path)!;
    const other = 1 - j;
    // With one base its blob at the old path is the file's base; with several, fileBases builds it.
    const specs = [`${p.merge.parents[other]}:${old}`, ...(single ? [`${p.bases[k]}:${old}`] : [])];
    const [otherInfo, baseInfo] = objectInfo(repo.top, specs);
    if (single) p.baseIds.set(path, baseInfo?.id ?? null);
    else p.renamedFrom.set(path, old);
    if (t.parents[other] === null) t.parents[other] = otherInfo?.id ?? null;
    sources.add(old);
  }
  p.stateFiles = p.stateFiles.filter((path) => !(sources.has(path) && p.touched.get(path)!.result === null));
}

function verifyPlanned(repo: Repo, p: Planned, blob: (r: BlobRequest) => Buffer | null, settingsFor: SettingsLookup): MergeReport {
  const { merge, stateFiles, touched } = p;
  const report = (files: FileReport[]): MergeReport => ({ commit: merge.commit, parents: merge.parents, subject: p.subject, status: worstStatus(files.map((f) => f.status)), files });
  const unverifiable = (path: string, reason: string): FileReport => ({ path, status: "unverifiable", findings: [wholeFileFinding("unverifiable", reason)] });
  if (merge.parents.length !== 2) {
    const reason = `an octopus merge of ${merge.parents.length} parents: the driver never makes these, so the result cannot be checked; merge the branches one at a time`;
    return report(stateFiles.map((path) => unverifiable(path, reason)));
  }
  const at = (id: string | null | undefined, path: string) => (id ? blob({ id, path }) : null);
  // Several merge bases (criss-cross): the virtual base, built as the driver's recursive mode does.
  const bases: Map<string, FileBase> =
    p.bases.length === 1 ? new Map(stateFiles.map((path) => [path, { kind: "base", data: at(p.baseIds.get(path), path) }])) : fileBases(repo.top, p.bases, stateFiles, settingsFor, p.renamedFrom);
  return report(
    stateFiles.map((path) => {
      if (!readable(path)) return unverifiable(path, "the file's name holds a newline, which git's batch reading cannot name");
      const t = touched.get(path)!;
      const base = bases.get(path)!;
      if (base.kind === "unverifiable") return unverifiable(path, base.reason);
      const settings = settingsFor(path);
      if ("problem" in settings) return unverifiable(path, settings.problem);
      const verdict = verifyFileMerge({ base: base.data, ours: at(t.parents[0], path), theirs: at(t.parents[1], path), result: at(t.result, path) }, settings);
      return { path, status: verdict.status, findings: verdict.status === "pass" ? [] : verdict.findings };
    }),
  );
}
