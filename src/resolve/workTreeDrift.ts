// Where a conflicted file's work-tree copy says something other than the record-by-record
// re-merge of its index stages: `resolve` refuses to overwrite such a copy unless forced, and
// `conflicts` names the same place, so the two never disagree about a file.

import type { Path } from "../core/values";
import { firstDifference } from "../core/firstDifference";
import { remerge } from "./remerge";
import { readWorkTree, type WorkTreeView } from "./workTree";

/**
 * Whether the work-tree copy reads as the re-merge (with `settings`' settlements) does, each
 * side's reading compared as values; `where`: the first path where it does not. Places `skip`
 * names are not compared.
 */
export function workTreeDrift(
  view: WorkTreeView | null,
  both: Parameters<typeof remerge>[0],
  settings: Parameters<typeof remerge>[1],
  skip: (path: Path) => boolean,
): { unchanged: boolean; where: Path | null } {
  if (!view || view.ours === null || view.theirs === null) return { unchanged: true, where: null };
  const again = remerge(both, settings);
  if (again.kind === "fallback") return { unchanged: true, where: null };
  const expected = readWorkTree(again.text, settings.markers.size);
  if (expected.ours === null || expected.theirs === null) return { unchanged: true, where: null };
  const where = firstDifference(expected.ours, view.ours, [], skip) ?? firstDifference(expected.theirs, view.theirs, [], skip);
  return { unchanged: where === null, where };
}
