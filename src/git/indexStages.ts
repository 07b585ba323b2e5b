// Read-only views of a conflicted work tree: the three index stages Git keeps for an
// unmerged path (the original base, ours and theirs, whatever the driver wrote), the list of
// unmerged paths, and which operation is under way (so "ours" can be named correctly).
// Paths here are relative to the top of the work tree; git runs from there.

import { existsSync, readFileSync } from "node:fs";
import { isAbsolute, join, relative, resolve } from "node:path";
import { patchSubject, stoppedCommand } from "./operationState";
import { GitError, gitText, runGit } from "./run";

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
function readStage(repo: Repo, path: string, stage: StageNumber | 0): Buffer | null {
  const r = runGit(repo.top, ["cat-file", "--filters", `:${stage}:${path}`]);
  return r.status === 0 ? r.stdout : null;
}

/** A merged path's content in the index (stage 0), in its work-tree form; null when the index has none. */
export function readIndexed(repo: Repo, path: string): Buffer | null {
  return readStage(repo, path, 0);
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
  kind: "merge" | "rebase" | "am" | "cherry-pick" | "revert" | null;
  /** What stage 2 ("ours") is, in words. */
  ours: string;
  /** What stage 3 ("theirs") is, in words. */
  theirs: string;
}

/** An absolute path inside the git directory (`git rev-parse --git-path`, which is relative in a main work tree and absolute in a linked one). */
export function gitPath(repo: Repo, name: string): string {
  const p = gitText(repo.top, ["rev-parse", "--git-path", name]) ?? join(".git", name);
  return isAbsolute(p) ? p : join(repo.top, p);
}

function commitTitle(repo: Repo, rev: string): string | null {
  return gitText(repo.top, ["log", "-1", "--format=%h (%s)", rev, "--"]);
}

/** Which command left the conflicts, and what ours and theirs therefore are. */
export function currentOperation(repo: Repo): Operation {
  const gitDir = gitText(repo.top, ["rev-parse", "--absolute-git-dir"]) ?? join(repo.top, ".git");
  const stopped = stoppedCommand(gitDir);
  if (stopped === null) return { kind: null, ours: "ours", theirs: "theirs" };
  const head = commitTitle(repo, "HEAD") ?? "HEAD";
  switch (stopped) {
    case "rebase-merge":
    case "rebase-apply": {
      const replayed = (existsSync(join(gitDir, "REBASE_HEAD")) && commitTitle(repo, "REBASE_HEAD")) || "the commit being replayed";
      return {
        kind: "rebase",
        ours: `the upstream being rebased onto (HEAD ${head})`,
        theirs: `your commit being replayed, ${replayed}`,
      };
    }
    case "am": {
      const subject = patchSubject(gitDir);
      return { kind: "am", ours: `your branch (HEAD ${head})`, theirs: `the patch being applied${subject ? `, "${subject}"` : ""}` };
    }
    case "cherry-pick":
      return { kind: "cherry-pick", ours: `your branch (HEAD ${head})`, theirs: `the commit being picked, ${commitTitle(repo, "CHERRY_PICK_HEAD")}` };
    case "revert":
      return { kind: "revert", ours: `your branch (HEAD ${head})`, theirs: `the reverse of ${commitTitle(repo, "REVERT_HEAD")}` };
    case "merge": {
      const merged = readFileSync(join(gitDir, "MERGE_HEAD"), "utf8").split("\n")[0].trim();
      return { kind: "merge", ours: `your branch (HEAD ${head})`, theirs: `the branch being merged, ${commitTitle(repo, merged) ?? merged}` };
    }
  }
}
