// Everything a merge result says, spelled out for comparing two ways of merging the same
// inputs: the text, the conflict and auto-resolved lines, the report JSON, the warnings (or
// the fallback and its reason).

import type { MergeResult } from "../../src/pipeline/mergeTexts";
import { autoResolvedLine, conflictLine, reportJson } from "../../src/report/mergeReport";

export function mergeSummary(r: MergeResult): unknown {
  if (r.kind === "fallback") return r;
  return {
    text: r.text,
    conflicts: r.conflicts.map((c) => conflictLine(c, r.profile, r.documents)),
    autoResolved: r.autoResolved.map((a) => autoResolvedLine(a, r.profile, r.documents)),
    report: reportJson({ conflicts: r.conflicts, autoResolved: r.autoResolved, fallback: null, profile: r.profile }),
    warnings: r.warnings?.map((w) => [w.path, w.message]),
  };
}
