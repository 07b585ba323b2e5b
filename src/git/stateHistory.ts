// Read-only history look-ups for `statefile-merge log`: the commits in a range that touch
// given paths, the paths each commit changed, and a file's content at a commit.

import type { Repo } from "./indexStages";
import { gitReason, runGit } from "./run";

export interface CommitInfo {
  hash: string;
  short: string;
  date: string;
  author: string;
  parents: string[];
}

export function commitsInRange(repo: Repo, range: string[], paths: string[], options: { firstParent: boolean; maxCount?: number }): CommitInfo[] {
  const args = ["log", "--format=%H%x1f%h%x1f%ad%x1f%an%x1f%P%x1e", "--date=format:%Y-%m-%d %H:%M"];
  args.push(options.firstParent ? "--first-parent" : "--no-merges");
  if (options.maxCount) args.push(`--max-count=${options.maxCount}`);
  args.push(...range, "--", ...paths.map((p) => `:(literal)${p}`));
  const r = runGit(repo.top, args);
  // The revisions and files are the user's: what git says of them, and how to give them.
  if (r.status !== 0) throw new Error(`${gitReason(r.stderr, "git log failed")}; give revisions as git log takes them (main, main~10..main), and files after --`);
  return r.stdout
    .toString("utf8")
    .split("\x1e")
    .map((s) => s.trim())
    .filter(Boolean)
    .map((record) => {
      const [hash, short, date, author, parents] = record.split("\x1f");
      return { hash, short, date, author, parents: parents ? parents.split(" ") : [] };
    });
}

/** Paths a commit changed against its first parent (all of its files for a root commit). */
export function changedPaths(repo: Repo, commit: CommitInfo): string[] {
  const args = commit.parents.length
    ? ["diff-tree", "-r", "-z", "--no-renames", "--name-only", commit.parents[0], commit.hash]
    : ["diff-tree", "-r", "-z", "--no-renames", "--name-only", "--root", "--no-commit-id", commit.hash];
  const r = runGit(repo.top, args);
  return r.status === 0 ? r.stdout.toString("utf8").split("\0").filter(Boolean) : [];
}

/** A file's content at a commit (work-tree form: git-crypt decrypts), or null when it does not exist there. */
export function fileAt(repo: Repo, rev: string, path: string): string | null {
  const r = runGit(repo.top, ["cat-file", "--filters", `${rev}:${path}`]);
  return r.status === 0 ? r.stdout.toString("utf8") : null;
}
