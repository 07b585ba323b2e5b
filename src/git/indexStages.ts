// Read-only views of a conflicted work tree: the three index stages Git keeps for an
// unmerged path (the original base, ours and theirs, whatever the driver wrote), the list of
// unmerged paths, and which operation is under way (so "ours" can be named correctly).
// Paths here are relative to the top of the work tree; git runs from there.

import { spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { isAbsolute, join, relative, resolve } from "node:path";

export class GitError extends Error {}

export function runGit(cwd: string, args: string[], input?: string): { status: number; stdout: Buffer; stderr: string } {
  const r = spawnSync("git", args, { cwd, input, stdio: ["pipe", "pipe", "pipe"], maxBuffer: 2 ** 31 - 1 });
  if (r.error) throw new GitError(`git could not run: ${r.error.message}`);
  return { status: r.status ?? 128, stdout: r.stdout, stderr: r.stderr.toString() };
}

function gitText(cwd: string, args: string[]): string | null {
  const r = runGit(cwd, args);
  return r.status === 0 ? r.stdout.toString("utf8").replace(/\n$/, "") : null;
}

export interface Repo {
  /** The top of the work tree. */
  top: string;
  /** The directory the user ran the command in (paths they type are relative to it). */
  cwd: string;
}

/** The repository around `cwd`, or null outside any work tree. */
export function findRepo(cwd: string = process.cwd()): Repo | null {
  const top = gitText(cwd, ["rev-parse", "--show-toplevel"]);
  return top ? { top, cwd } : null;
}

/** A path the user typed, as a path from the top of the work tree ("/"-separated). */
export function repoPath(repo: Repo, typed: string): string {
  const abs = isAbsolute(typed) ? typed : resolve(repo.cwd, typed);
  return relative(repo.top, abs).split("\\").join("/");
}

/** A repository path as the user should see it (relative to where they stand). */
export function displayPath(repo: Repo, path: string): string {
  return relative(repo.cwd, join(repo.top, path)) || path;
}

export type StageNumber = 1 | 2 | 3;

/**
 * The content at one index stage in its work-tree form, or null when the stage is missing.
 * `--filters` runs the path's smudge filter, so git-crypt state reads as plaintext when the
 * repository is unlocked (a plain `cat-file blob` would hand us ciphertext).
 */
export function readStage(repo: Repo, path: string, stage: StageNumber): Buffer | null {
  const r = runGit(repo.top, ["cat-file", "--filters", `:${stage}:${path}`]);
  return r.status === 0 ? r.stdout : null;
}

export interface Stages {
  /** Stage 1; null when there is no common version (add/add). */
  base: Buffer | null;
  /** Stage 2; null when ours deleted the file. */
  ours: Buffer | null;
  /** Stage 3; null when theirs deleted the file. */
  theirs: Buffer | null;
}

/** The three stages of an unmerged path; null when the path is not unmerged. */
export function readStages(repo: Repo, path: string): Stages | null {
  const listed = runGit(repo.top, ["ls-files", "-u", "-z", "--", `:(literal)${path}`]);
  if (listed.status !== 0 || listed.stdout.length === 0) return null;
  return { base: readStage(repo, path, 1), ours: readStage(repo, path, 2), theirs: readStage(repo, path, 3) };
}

/** Every unmerged path in the repository, once each, in index order. */
export function unmergedPaths(repo: Repo): string[] {
  const r = runGit(repo.top, ["ls-files", "-u", "-z"]);
  if (r.status !== 0) throw new GitError(`git ls-files -u failed: ${r.stderr.trim()}`);
  const paths = r.stdout
    .toString("utf8")
    .split("\0")
    .filter(Boolean)
    .map((entry) => entry.slice(entry.indexOf("\t") + 1));
  return [...new Set(paths)];
}

/** Marks a resolved path as merged (`git add`). */
export function stagePath(repo: Repo, path: string): void {
  const r = runGit(repo.top, ["add", "--", `:(literal)${path}`]);
  if (r.status !== 0) throw new GitError(`git add ${path} failed: ${r.stderr.trim()}`);
}

export interface Operation {
  kind: "merge" | "rebase" | "cherry-pick" | "revert" | null;
  /** What stage 2 ("ours") is, in words. */
  ours: string;
  /** What stage 3 ("theirs") is, in words. */
  theirs: string;
}

function gitPath(repo: Repo, name: string): string {
  const p = gitText(repo.top, ["rev-parse", "--git-path", name]) ?? join(".git", name);
  return isAbsolute(p) ? p : join(repo.top, p);
}

function commitTitle(repo: Repo, rev: string): string | null {
  return gitText(repo.top, ["log", "-1", "--format=%h (%s)", rev, "--"]);
}

/** Which command left the conflicts, and what ours and theirs therefore are. */
export function currentOperation(repo: Repo): Operation {
  const head = commitTitle(repo, "HEAD") ?? "HEAD";
  const has = (ref: string) => existsSync(gitPath(repo, ref));
  if (has("rebase-merge") || has("rebase-apply")) {
    const replayed = (has("REBASE_HEAD") && commitTitle(repo, "REBASE_HEAD")) || "the commit being replayed";
    return {
      kind: "rebase",
      ours: `the upstream being rebased onto (HEAD ${head})`,
      theirs: `your commit being replayed, ${replayed}`,
    };
  }
  if (has("CHERRY_PICK_HEAD")) {
    return { kind: "cherry-pick", ours: `your branch (HEAD ${head})`, theirs: `the commit being picked, ${commitTitle(repo, "CHERRY_PICK_HEAD")}` };
  }
  if (has("REVERT_HEAD")) {
    return { kind: "revert", ours: `your branch (HEAD ${head})`, theirs: `the reverse of ${commitTitle(repo, "REVERT_HEAD")}` };
  }
  if (has("MERGE_HEAD")) {
    const merged = readFileSync(gitPath(repo, "MERGE_HEAD"), "utf8").split("\n")[0].trim();
    return { kind: "merge", ours: `your branch (HEAD ${head})`, theirs: `the branch being merged, ${commitTitle(repo, merged) ?? merged}` };
  }
  return { kind: null, ours: "ours", theirs: "theirs" };
}

/** Git's attribute values for paths, e.g. `merge` -> "statefile"; "unspecified" when unset. */
export function attributesOf(repo: Repo, paths: string[], names: string[]): Map<string, Map<string, string>> {
  const out = new Map<string, Map<string, string>>();
  if (paths.length === 0) return out;
  const r = runGit(repo.top, ["check-attr", "-z", "--stdin", ...names], paths.join("\0") + "\0");
  if (r.status !== 0) return out;
  const fields = r.stdout.toString("utf8").split("\0");
  for (let i = 0; i + 2 < fields.length; i += 3) {
    const [path, name, value] = [fields[i], fields[i + 1], fields[i + 2]];
    if (!out.has(path)) out.set(path, new Map());
    out.get(path)!.set(name, value);
  }
  return out;
}

/** The conflict-marker-size attribute of a path, when set to a positive integer. */
export function markerSizeOf(repo: Repo, path: string): number | null {
  const value = attributesOf(repo, [path], ["conflict-marker-size"]).get(path)?.get("conflict-marker-size");
  const n = Number(value);
  return Number.isInteger(n) && n > 0 ? n : null;
}
