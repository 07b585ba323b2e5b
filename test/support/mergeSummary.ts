// Everything a merge result says, spelled out for comparing two ways of merging the same
// inputs: the text, the conflict and auto-resolved lines, the report JSON, the warnings (or
// the fallback and its reason); and what it prints about its conflicts, to search for secrets.

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

/** The JSON report and each conflict line, as a user sees them in driver mode and from `conflicts`. */
export function conflictReports(r: MergeResult, showSecrets = false): string {
  if (r.kind !== "merged") throw new Error(`fell back: ${r.reason}`);
  const lines = r.conflicts.map((c) => conflictLine(c, r.profile, r.documents, { showSecrets }));
  return [reportJson({ conflicts: r.conflicts, autoResolved: r.autoResolved, fallback: null, profile: r.profile }, { showSecrets }), ...lines].join("\n");
}
