// The conflicts still left in the work tree, per file: by re-merging the index stages (so the
// list equals the driver's own report), minus those the work-tree copy has settled since; or,
// for a file Git no longer holds as unmerged, from the conflict markers in the file.

import { existsSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import type { Slot } from "../core/values";
import type { Profile } from "../profiles/profile";
import { mergeTexts } from "../pipeline/mergeTexts";
import { readStages, type Repo } from "../git/indexStages";
import { contentStages, PLAIN_MARKERS, remerge } from "./remerge";
import { readWorkTree, settlementsOf } from "./workTree";
import type { MarkerBlock } from "../formats/markerBlocks";
import { isGitCryptCiphertext } from "../crypt/gitCrypt";
import { fileViewFor } from "../view/fileView";
import type { Overlay } from "../profiles/overlay";
import { shellWord } from "../git/shellQuote";
import { attributeOf, markerSizeOf } from "../git/attributes";
import { DRIVER } from "../git/install";
import { pathKey } from "../core/policy";
import type { Conflict } from "../core/merged";
import { workTreeDrift } from "./workTreeDrift";

export interface FileConflicts {
  path: string;
  /** "index": re-merged from the stages; "markers": read from the file; "none": nothing to read. */
  source: "index" | "markers" | "none";
  /** The conflicts still open in the work tree. */
  conflicts: Conflict[];
  /** Conflicts of the re-merge that the work-tree copy has settled since. */
  settled: number;
  profile: Profile | null;
  documents: Slot[];
  /** Something the user must know about this file (a side deleted it, it is not JSON, ...). */
  note: string | null;
  /** Conflict blocks found in the file when it could not be read structurally. */
  blocks: MarkerBlock[];
}

/** The work-tree copy's text; null when there is none, or something else stands there (a directory): the conflicts are then Git's alone. */
function workTreeText(repo: Repo, path: string): string | null {
  const file = join(repo.top, path);
  return existsSync(file) && statSync(file).isFile() ? readFileSync(file, "utf8") : null;
}

/** `showSecrets`: its note names places by their keys, also below a secret place. */
export function listConflicts(repo: Repo, path: string, showSecrets = false): FileConflicts {
  const empty: FileConflicts = { path, source: "none", conflicts: [], settled: 0, profile: null, documents: [], note: null, blocks: [] };
  const text = workTreeText(repo, path);
  const stages = readStages(repo, path);
  // Read as the merge reads it; with an unusable policy file, every entry's secret names are hidden.
  const fileView = fileViewFor(repo.top, path);
  // The file's conflict-marker-size attribute, which may be below Git's 7.
  const size = markerSizeOf(repo, path) ?? undefined;
  if (stages) {
    const both = contentStages(stages);
    if (!both) {
      const who = stages.ours ? "theirs" : "ours";
      return { ...empty, source: "index", note: `deleted in ${who} and changed in the other side (a whole-file conflict: keep it with git add, or drop it with git rm)` };
    }
    // Stages read through a locked git-crypt filter stay ciphertext: say so, never "binary content".
    if ([both.base, both.ours, both.theirs].some((b) => b !== null && isGitCryptCiphertext(b))) {
      return { ...empty, source: "index", note: "the repository is locked by git-crypt, so its versions are ciphertext; run git-crypt unlock, then statefile-merge conflicts again" };
    }
    if (fileView.problem) return fromMarkers(empty, text, fileView.problem, fileView.overlay, size);
    const result = remerge(both, { overlay: fileView.overlay, markers: PLAIN_MARKERS });
    if (result.kind === "fallback") return fromMarkers(empty, text, `cannot be merged record by record (${result.reason})`, fileView.overlay, size);
    const view = text === null ? null : readWorkTree(text, size);
    const { settled } = settlementsOf(result.conflicts, view);
    const open = result.conflicts.filter((c) => !settled.has(pathKey(c.path)));
    const rest = {
      ...empty,
      source: "index" as const,
      conflicts: open,
      settled: result.conflicts.length - open.length,
      profile: result.profile,
      documents: result.documents,
    };
    if (view?.unreadable) return { ...rest, note: `in the work-tree copy, ${view.unreadable}; listing every conflict of the re-merge` };
    if (!view?.marked) return rest;
    // Blocks where the re-merge has none left (Git's line merge wrote them, the file not routed
    // to the driver): the file is not done while they stand.
    const how = `run statefile-merge doctor to route the file to the driver`;
    if (open.length === 0) {
      const blocks = view.marked.blocks;
      return { ...rest, blocks, note: `the file still holds ${blocks.length} conflict block(s) that the record-by-record merge settles on its own (Git's line merge wrote them: ${how}); write the record-by-record result with statefile-merge resolve ${shellWord(path)} --ours --force, or settle them in an editor` };
    }
    // Conflicts left, and Git's line merge wrote the blocks: some may be ones the record merge
    // settles on its own, where the file then reads otherwise than the re-merge; resolve
    // refuses to overwrite those unless forced, so they are named here too.
    if (attributeOf(repo, path, "merge") === DRIVER) return rest;
    const drift = workTreeDrift(view, both, { overlay: fileView.overlay, markers: PLAIN_MARKERS, settle: (p) => settled.get(pathKey(p)) }, () => false);
    if (drift.unchanged) return rest;
    const where = drift.where ? ` at ${result.profile.describePath(drift.where, result.documents, showSecrets)}` : "";
    return {
      ...rest,
      blocks: view.marked.blocks,
      note: `the file holds conflict blocks that Git's line merge wrote (${how}), which read otherwise than the record-by-record merge${where}: statefile-merge resolve refuses to overwrite them unless given --force (a backup copy is kept); or settle them in an editor`,
    };
  }
  return fromMarkers(empty, text, null, fileView.overlay, size);
}

/** Without index stages: the sides written between the markers, merged again to name the places. */
function fromMarkers(empty: FileConflicts, text: string | null, reason: string | null, overlay: Overlay, markerSize: number | undefined): FileConflicts {
  if (text === null) return { ...empty, note: reason ?? "no such file in the work tree" };
  const view = readWorkTree(text, markerSize);
  const blocks = view.marked?.blocks ?? [];
  if (!view.marked) return { ...empty, source: "markers", note: reason };
  if (view.unreadable || !view.marked.views) {
    return { ...empty, source: "markers", blocks, note: [reason, `the conflict blocks cannot be read as JSON: ${view.unreadable}`].filter(Boolean).join("; ") };
  }
  const { views } = view.marked;
  const result = mergeTexts({ base: views.base ?? "", ours: views.ours, theirs: views.theirs }, { overlay, markers: PLAIN_MARKERS });
  if (result.kind === "fallback") return { ...empty, source: "markers", blocks, note: result.reason };
  const baseNote = views.base === null ? "read from the conflict markers, which hold no base section: each side's value is shown as added" : "read from the conflict markers";
  return {
    ...empty,
    source: "markers",
    conflicts: result.conflicts,
    profile: result.profile,
    documents: result.documents,
    blocks,
    note: [reason, baseNote].filter(Boolean).join("; "),
  };
}
