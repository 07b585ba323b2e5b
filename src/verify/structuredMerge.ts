// The one place where `verify` calls the merge engine and the policy lookup, so that when
// their API changes only this file follows. Everything else in src/verify sees plain results:
// the merged text with every true conflict settled to ours, and where those conflicts were.

import { mergeStates, mergeTexts, type MergeSettings } from "../pipeline/mergeTexts";
import { pathKey } from "../core/policy";
import { fileViewFor } from "../view/fileView";
import { PLAIN_MARKERS } from "../resolve/remerge";
import type { Path, Slot } from "../core/values";
import type { Profile } from "../profiles/profile";

/** The merge settings of one file (the file view's policy overlay), opaque outside this file. */
export type FileMergeSettings = MergeSettings;

export type StructuredMerge =
  | {
      kind: "merged";
      /** The driver's result with each true conflict settled to ours (so it is plain JSON). */
      text: string;
      /** Where the driver would have written conflict hunks. */
      conflictPaths: Path[];
      profile: Profile;
      /** Parsed base, ours, theirs. */
      documents: Slot[];
    }
  | { kind: "unmergeable"; reason: string };

/** The repository's merge settings for a path, as the driver reads them; a problem text when the policy file is unusable. */
export function mergeSettingsFor(top: string, path: string): FileMergeSettings | { problem: string } {
  const view = fileViewFor(top, path);
  return view.problem ? { problem: view.problem } : { overlay: view.overlay };
}

export interface MergeSides {
  base: Uint8Array | string;
  ours: Uint8Array | string;
  theirs: Uint8Array | string;
}

/**
 * The driver's structured merge of one file. `virtualBase` merges the bases of a criss-cross
 * the way the driver's recursive mode does (every conflict takes the base).
 */
export function structuredMerge(sides: MergeSides, settings: FileMergeSettings, options: { virtualBase?: boolean } = {}): StructuredMerge {
  const conflictPaths: Path[] = [];
  const result = mergeTexts(sides, {
    ...settings,
    // The documents must be each side's own: the record-by-record reading stands ours' record
    // in for base's and theirs' where only ours changed it (the same merge, not the same sides).
    wholeParse: true,
    markers: PLAIN_MARKERS,
    settle: (path) => {
      conflictPaths.push(path);
      return options.virtualBase ? "base" : "ours";
    },
  });
  if (result.kind === "fallback") return { kind: "unmergeable", reason: result.reason };
  if (conflictPaths.length > 0) {
    // Settling one conflict to a side can hide another the driver reports: a deployment new to
    // a name stands in conflict while another one that may keep that name is itself in
    // conflict. The driver's own list, unsettled, counts too. (No conflict settled: the same merge.)
    const seen = new Set(conflictPaths.map(pathKey));
    const unsettled = mergeStates(sides, { ...settings, wholeParse: true });
    if (unsettled.method === "structured") for (const c of unsettled.conflicts) if (!seen.has(pathKey(c.path))) conflictPaths.push(c.path);
  }
  return { kind: "merged", text: result.text, conflictPaths, profile: result.profile, documents: result.documents };
}
