// The one file view: how a state file is read, decided once per file and command. From the
// file's repository path and the policy file it yields the policy overlay on the profile
// table; from the content (profiles/table.ts chooseProfile) the profile. The driver, conflicts,
// resolve, diff, git-diff, textconv, log, check, fmt, doctor and the wrapper all ask here, and
// nothing else reads the policy file to decide how to read a state file.

import { isAbsolute, relative } from "node:path";
import type { Slot } from "../core/values";
import { readPolicyFile } from "../policy/policyFile";
import { matchesFileGlob } from "../policy/fileGlob";
import { formatProblem, type PolicyEntry } from "../policy/policyTypes";
import { NO_OVERLAY, type Overlay } from "../profiles/overlay";
import { chooseProfile } from "../profiles/table";
import type { Profile } from "../profiles/profile";

export interface FileView {
  /** The repository path ("/"-separated) the view is for; null when Git named none (textconv). */
  path: string | null;
  /** The policy entry that applies, for messages. */
  entry: PolicyEntry | null;
  /** The entry's settings over the profile rows (none without an entry). */
  overlay: Overlay;
  /**
   * The policy file is unusable (its first mistake): the merge falls back to a line merge, and
   * the review commands hide every secret name any entry lists.
   */
  problem: string | null;
}

/** The view for a file with no repository or policy file: the profile table alone. */
export const PLAIN_VIEW: FileView = { path: null, entry: null, overlay: NO_OVERLAY, problem: null };

/** The path Git names (%P), or a file given by hand, as a "/"-separated repository path. */
export function repositoryPath(repoTop: string, file: string): string {
  const rel = isAbsolute(file) ? relative(repoTop, file) : file;
  return rel.split("\\").join("/").replace(/^\.\//, "");
}

/**
 * The view of `file` (a repository path, or absolute) in the work tree at `repoTop` (null:
 * outside any). With no file (Git hands textconv a temporary copy), no entry can be chosen:
 * every secret name of every entry is hidden.
 */
export function fileViewFor(repoTop: string | null, file: string | null): FileView {
  return fileViewsIn(repoTop)(file);
}

/** fileViewFor for many files of one work tree, reading its policy file once. */
export function fileViewsIn(repoTop: string | null): (file: string | null) => FileView {
  const read = repoTop === null ? null : readPolicyFile(repoTop);
  return (file) => viewOf(read, repoTop, file);
}

/**
 * The view for two versions of a file under two paths (a rename, or a version saved under
 * another name): the new path's, also hiding the secret names the old path's entry lists,
 * since its values were secrets there.
 */
export function fileViewForBoth(repoTop: string | null, oldFile: string | null, newFile: string | null): FileView {
  const views = fileViewsIn(repoTop);
  const view = views(newFile);
  if (oldFile === null || oldFile === newFile) return view;
  const more = views(oldFile).overlay.secretNames.filter((n) => !view.overlay.secretNames.includes(n));
  return more.length === 0 ? view : { ...view, overlay: { ...view.overlay, secretNames: [...view.overlay.secretNames, ...more] } };
}

function viewOf(read: ReturnType<typeof readPolicyFile>, repoTop: string | null, file: string | null): FileView {
  if (!read) return { ...PLAIN_VIEW, path: file === null || repoTop === null ? file : repositoryPath(repoTop, file) };
  const everyName: Overlay = { ...NO_OVERLAY, secretNames: [...new Set([...read.policy.entries.flatMap((e) => e.secretNames), ...read.secretNamesWritten])] };
  if (read.problems.length > 0) {
    const more = read.problems.length > 1 ? ` (and ${read.problems.length - 1} more; run statefile-merge doctor)` : "";
    const problem = `the policy file is not usable: ${formatProblem(read.problems[0])}${more}`;
    return { path: file === null ? null : repositoryPath(repoTop!, file), entry: null, overlay: everyName, problem };
  }
  if (file === null) return { path: null, entry: null, overlay: everyName, problem: null };
  const path = repositoryPath(repoTop!, file);
  const entry = read.policy.entries.find((e) => matchesFileGlob(path, e.glob)) ?? null;
  return { path, entry, overlay: entry ?? NO_OVERLAY, problem: null };
}

/**
 * What a review command (diff, log, textconv) says on stderr when the policy file is not
 * usable: it reads on without it, hiding every secret name any entry lists; null when usable.
 */
export function unusablePolicyNote(view: FileView): string | null {
  return view.problem === null ? null : `note: ${view.problem}; read without it, every secret name it lists hidden (statefile-merge doctor lists every mistake)`;
}

/** The profile this view reads these documents with (ABSENT for a side without the file): the merge's own choice. */
export function profileOf(view: FileView, documents: readonly Slot[]): Profile {
  return chooseProfile(view.overlay, documents);
}
