// Which Git command stopped with conflicts (or is running a merge driver now), read from the
// state it keeps in the work tree's git directory (`git rev-parse --absolute-git-dir`, which is
// per work tree in a linked worktree, as these files are). File checks only: no git runs.

import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";

export type StoppedCommand = "rebase-merge" | "rebase-apply" | "am" | "cherry-pick" | "revert" | "merge";

/** `git am` and `git rebase --apply` share rebase-apply/; only am writes rebase-apply/applying. */
export function stoppedCommand(gitDir: string): StoppedCommand | null {
  const has = (name: string) => existsSync(join(gitDir, name));
  if (has("rebase-merge")) return "rebase-merge";
  if (has("rebase-apply")) return has("rebase-apply/applying") ? "am" : "rebase-apply";
  if (has("CHERRY_PICK_HEAD")) return "cherry-pick";
  if (has("REVERT_HEAD")) return "revert";
  if (has("MERGE_HEAD")) return "merge";
  return null;
}

/** A file in the git directory, or null when it cannot be read. */
export function gitDirFile(gitDir: string, relative: string): string | null {
  try {
    return readFileSync(join(gitDir, relative), "utf8");
  } catch {
    return null;
  }
}

/** Control characters would break a one-line label or message. */
export function oneLine(text: string): string {
  return text.replace(/[\u0000-\u001f\u007f]/g, " ");
}

/** The subject of the patch `git am` is applying, or null when its files do not say. */
export function patchSubject(gitDir: string): string | null {
  // `msg` is still empty while the patch is being merged; `final-commit` and `info` are not.
  const subjects = ["rebase-apply/msg", "rebase-apply/final-commit"].map((f) => gitDirFile(gitDir, f)?.split("\n")[0].trim());
  const info = /^Subject: (.*)$/m.exec(gitDirFile(gitDir, "rebase-apply/info") ?? "")?.[1];
  return oneLine(subjects.find((s) => s) ?? info ?? "").trim() || null;
}
