// The Git plumbing `verify` reads history with, a few processes per merge at most: the merges
// of a range with their parents, merge bases, the files two trees differ in (with blob ids),
// and many blobs through one `git cat-file --batch` (filtered paths, git-crypt's, one by one).

import { gitReason, runGit } from "../git/run";
import { attributesOf } from "../git/attributes";

export class HistoryError extends Error {}

export interface MergeCommit {
  commit: string;
  parents: string[];
}

function gitOrThrow(top: string, args: string[], input?: string): Buffer {
  const r = runGit(top, args, input);
  if (r.status !== 0) throw new HistoryError(gitReason(r.stderr, `git ${args[0]} failed`));
  return r.stdout;
}

/** Every merge commit reachable in the range (git rev-list syntax; default HEAD), oldest first. */
export function mergesInRange(top: string, range: readonly string[]): MergeCommit[] {
  try {
    return commitsWithParents(top, ["--merges", "--reverse", ...(range.length ? range : ["HEAD"])]);
  } catch (e) {
    if (!(e instanceof HistoryError)) throw e;
    throw new HistoryError(`${e.message}; give revisions as git rev-list takes them (main, v1..main)`);
  }
}

/** `git rev-list --parents` of these arguments: each commit with its parents. */
function commitsWithParents(top: string, args: readonly string[]): MergeCommit[] {
  return gitOrThrow(top, ["rev-list", "--parents", ...args, "--"])
    .toString("utf8")
    .split("\n")
    .filter(Boolean)
    .map((line) => {
      const [commit, ...parents] = line.split(" ");
      return { commit, parents };
    });
}

/** The full commit id of a revision; throws naming the revision when it does not exist. */
export function resolveCommit(top: string, rev: string): string {
  const r = runGit(top, ["rev-parse", "--verify", "--quiet", `${rev}^{commit}`]);
  if (r.status !== 0) throw new HistoryError(`${JSON.stringify(rev)} is not a commit in this repository`);
  return r.stdout.toString("utf8").trim();
}

/** All best common ancestors (several in a criss-cross history, none for unrelated ones). */
export function mergeBases(top: string, a: string, b: string): string[] {
  const r = runGit(top, ["merge-base", "--all", a, b]);
  if (r.status === 1) return [];
  if (r.status !== 0) throw new HistoryError(gitReason(r.stderr, "git merge-base failed"));
  return r.stdout.toString("utf8").split("\n").filter(Boolean);
}

/** The blob ids of the files two trees differ in: path -> [id in `from` or null, id in `to` or null]. */
export function changedBlobs(top: string, from: string, to: string): Map<string, [string | null, string | null]> {
  const out = gitOrThrow(top, ["diff-tree", "-r", "-z", "--raw", "--no-renames", "--no-abbrev", from, to, "--"]).toString("utf8");
  const fields = out.split("\0");
  const changed = new Map<string, [string | null, string | null]>();
  const absent = (id: string) => (/^0+$/.test(id) ? null : id);
  for (let i = 0; i + 1 < fields.length; i += 2) {
    // ":100644 100644 <old> <new> M" then the path.
    const [, , oldId, newId] = fields[i].split(" ");
    if (oldId === undefined || newId === undefined) continue;
    changed.set(fields[i + 1], [absent(oldId), absent(newId)]);
  }
  return changed;
}

/**
 * Files `to` holds under another path than `from` (Git's rename detection, as its merge uses
 * it): old path -> new path.
 */
export function renamedPaths(top: string, from: string, to: string): Map<string, string> {
  const out = gitOrThrow(top, ["diff-tree", "-r", "-z", "--raw", "-M", "--diff-filter=R", "--no-abbrev", from, to, "--"]).toString("utf8");
  const fields = out.split("\0");
  const renamed = new Map<string, string>();
  // ":100644 100644 <old> <new> R100", then the old path, then the new one.
  for (let i = 0; i + 2 < fields.length; i += 3) if (fields[i].startsWith(":")) renamed.set(fields[i + 1], fields[i + 2]);
  return renamed;
}

/** The blob ids of some paths in one commit (absent paths are missing from the map). */
export function blobsAt(top: string, rev: string, paths: readonly string[]): Map<string, string> {
  const found = new Map<string, string>();
  if (paths.length === 0) return found;
  const out = gitOrThrow(top, ["ls-tree", "-r", "-z", "--full-tree", rev, "--", ...paths.map((p) => `:(literal)${p}`)]).toString("utf8");
  for (const entry of out.split("\0")) {
    const tab = entry.indexOf("\t");
    if (tab < 0) continue;
    const [, type, id] = entry.slice(0, tab).split(" ");
    if (type === "blob") found.set(entry.slice(tab + 1), id);
  }
  return found;
}

export interface BlobRequest {
  id: string;
  /** The path it lives at, so that its filters (git-crypt's smudge) apply. */
  path: string;
}

/**
 * Many blobs in their work-tree form, keyed by "id path". Blobs whose path has a `filter`
 * attribute (git-crypt) are read one by one through `git cat-file --filters`, so git-crypt
 * decrypts them; the rest come from one `git cat-file --batch` (Git 2.39's `--batch --filters`
 * announces the stored size but prints the filtered bytes, so it cannot be parsed).
 */
export function readBlobs(top: string, requests: readonly BlobRequest[]): Map<string, Buffer> {
  const blobs = new Map<string, Buffer>();
  const wanted = [...new Map(requests.map((r) => [blobKey(r), r])).values()];
  if (wanted.length === 0) return blobs;
  const filters = attributesOf({ top }, [...new Set(wanted.map((r) => r.path))], ["filter"]);
  const filtered = (r: BlobRequest) => !["unspecified", "unset", undefined].includes(filters.get(r.path)?.get("filter"));
  for (const r of wanted.filter(filtered)) {
    const one = runGit(top, ["cat-file", "--filters", `--path=${r.path}`, r.id]);
    if (one.status === 0) blobs.set(blobKey(r), one.stdout);
  }
  const plain = [...new Map(wanted.filter((r) => !filtered(r)).map((r) => [r.id, r])).values()];
  if (plain.length === 0) return blobs;
  const out = gitOrThrow(top, ["cat-file", "--batch"], plain.map((r) => `${r.id}\n`).join(""));
  const byId = new Map<string, Buffer>();
  let pos = 0;
  for (const r of plain) {
    const eol = out.indexOf(10, pos);
    const header = out.toString("utf8", pos, eol);
    pos = eol + 1;
    const size = Number(header.split(" ")[2]);
    if (!Number.isInteger(size)) continue; // "<id> missing": not a blob here.
    byId.set(r.id, out.subarray(pos, pos + size));
    pos += size + 1;
  }
  for (const r of wanted) if (!filtered(r) && byId.has(r.id)) blobs.set(blobKey(r), byId.get(r.id)!);
  return blobs;
}

export function blobKey(r: BlobRequest): string {
  return `${r.id} ${r.path}`;
}

/** The commits of `from..to` that are not merges, oldest first (what a rebase replays). */
export function commitsToReplay(top: string, from: string, to: string): MergeCommit[] {
  return commitsWithParents(top, ["--reverse", "--no-merges", `${from}..${to}`]);
}

/** The first line of a commit's message, for reports. */
export function commitSubjects(top: string, commits: readonly string[]): Map<string, string> {
  const subjects = new Map<string, string>();
  if (commits.length === 0) return subjects;
  const out = gitOrThrow(top, ["log", "--no-walk=unsorted", "--format=%H %s", "--stdin"], commits.join("\n") + "\n").toString("utf8");
  for (const line of out.split("\n")) {
    const space = line.indexOf(" ");
    if (space > 0) subjects.set(line.slice(0, space), line.slice(space + 1));
  }
  return subjects;
}

export type BlobChanges = Map<string, [string | null, string | null]>;

/**
 * For each merge, the files its result differs in from each parent (as `changedBlobs(parent,
 * merge)` would give them), from one `git diff-tree --stdin` for the whole history.
 */
export function changesAgainstParents(top: string, merges: readonly MergeCommit[]): BlobChanges[][] {
  const pairs = merges.flatMap((m) => m.parents.map((p) => `${m.commit} ${p}\n`));
  if (pairs.length === 0) return [];
  // "<commit> <parent>" diffs parent -> commit; --always prints each pair's header even when equal.
  const out = gitOrThrow(top, ["diff-tree", "--stdin", "--always", "-r", "-z", "--raw", "--no-renames", "--no-abbrev"], pairs.join("")).toString("utf8");
  const fields = out.split("\0");
  const diffs: BlobChanges[] = [];
  const absent = (id: string) => (/^0+$/.test(id) ? null : id);
  for (let i = 0; i < fields.length; i++) {
    const field = fields[i];
    if (field.startsWith(":")) {
      const [, , oldId, newId] = field.split(" ");
      diffs[diffs.length - 1].set(fields[++i], [absent(oldId), absent(newId)]);
    } else if (field.trim() !== "") diffs.push(new Map());
  }
  if (diffs.length !== pairs.length) throw new HistoryError(`git diff-tree --stdin gave ${diffs.length} diffs for ${pairs.length} commit pairs`);
  let next = 0;
  return merges.map((m) => m.parents.map(() => diffs[next++]));
}

/** Blob ids and sizes of many objects ("<rev>:<path>" or ids) from one `git cat-file --batch-check`; null where missing. */
export function objectInfo(top: string, specs: readonly string[]): ({ id: string; size: number } | null)[] {
  if (specs.length === 0) return [];
  const lines = gitOrThrow(top, ["cat-file", "--batch-check"], specs.map((s) => s + "\n").join("")).toString("utf8").split("\n");
  return specs.map((_, i) => {
    const [id, type, size] = (lines[i] ?? "").split(" ");
    return type === "blob" ? { id, size: Number(size) } : null;
  });
}

/** True in a shallow clone, where merge bases and old merges are missing (CI's default depth). */
export function isShallow(top: string): boolean {
  const r = runGit(top, ["rev-parse", "--is-shallow-repository"]);
  return r.status === 0 && r.stdout.toString("utf8").trim() === "true";
}
