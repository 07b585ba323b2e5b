// Everything a merge prints about its conflicts (the JSON report and each conflict line), to
// search for secrets: the same text a user sees in driver mode and from `conflicts`.

import type { MergeResult } from "../../src/pipeline/mergeTexts";
import { conflictLine, reportJson } from "../../src/report/mergeReport";

export function conflictReports(r: MergeResult, showSecrets = false): string {
  if (r.kind !== "merged") throw new Error(`fell back: ${r.reason}`);
  const lines = r.conflicts.map((c) => conflictLine(c, r.profile, r.documents, { showSecrets }));
  return [reportJson({ conflicts: r.conflicts, autoResolved: r.autoResolved, fallback: null, profile: r.profile }, { showSecrets }), ...lines].join("\n");
}
