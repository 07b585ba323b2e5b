// Re-running the driver's merge on the index stages Git kept (stage 1 missing = no base),
// with the settings the driver itself would use, so what we list or settle is exactly what
// the driver reported.

import { mergeTexts, type MergeResult, type MergeSettings } from "../pipeline/mergeTexts";
import { fileViewFor } from "../view/fileView";
import { DEFAULT_MARKERS, type Markers } from "../formats/renderDocument";
import type { Stages } from "../git/indexStages";
import type { Repo } from "../git/indexStages";

export const PLAIN_MARKERS: Markers = DEFAULT_MARKERS;

/** The repository's policy file is unusable: the driver would fall back to a line merge. */
export class PolicyProblem extends Error {}

/**
 * The merge settings the driver uses for this path: those of the repository's policy file,
 * read the same way, so listing and resolving stay equal to the driver's own merge.
 */
export function driverSettingsFor(repo: Repo, path: string): MergeSettings {
  const view = fileViewFor(repo.top, path);
  if (view.problem) throw new PolicyProblem(view.problem);
  return { overlay: view.overlay };
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
