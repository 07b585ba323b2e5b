// Re-running the driver's merge on the index stages Git kept (stage 1 missing = no base),
// with the settings the driver itself would use, so what we list or settle is exactly what
// the driver reported.

import { mergeTexts, type MergeResult, type MergeSettings } from "../pipeline/mergeTexts";
import type { Markers } from "../formats/renderDocument";
import type { Stages } from "../git/indexStages";
import type { Repo } from "../git/indexStages";

export const PLAIN_MARKERS: Markers = { size: 7, ours: "ours", base: "base", theirs: "theirs", style: "merge" };

/**
 * The merge settings the driver uses for this path. The driver takes the defaults today;
 * when per-repository policy exists, read it here so listing and resolving stay equal to it.
 */
export function driverSettingsFor(_repo: Repo, _path: string): Partial<MergeSettings> {
  return {};
}

export interface BothSides {
  base: Buffer | null;
  ours: Buffer;
  theirs: Buffer;
}

/** Stages with both sides present (a file deleted on one side is not a content conflict). */
export function contentStages(stages: Stages): BothSides | null {
  return stages.ours && stages.theirs ? { base: stages.base, ours: stages.ours, theirs: stages.theirs } : null;
}

export function remerge(stages: BothSides, settings: Partial<MergeSettings> & { markers: Markers }): MergeResult {
  return mergeTexts({ base: stages.base ?? "", ours: stages.ours, theirs: stages.theirs }, settings);
}
