// What `verify` prints: one line per checked file and per finding for people, or one JSON
// document for scripts. Finding messages are already redacted (secrets hashed).

import type { HistoryReport } from "./verifyHistory";
import type { PrReport } from "./verifyPullRequest";

const short = (commit: string) => commit.slice(0, 12);
const LABEL = { pass: "ok  ", fail: "FAIL", unverifiable: "UNVERIFIABLE" } as const;

/** Which parent the findings call ours and theirs. */
function parentsText(parents: readonly string[]): string {
  if (parents.length !== 2) return `parents ${parents.map((p) => p.slice(0, 8)).join(", ")}`;
  return `ours ${parents[0].slice(0, 8)}, theirs ${parents[1].slice(0, 8)}`;
}

export function historyText(report: HistoryReport): string {
  const lines: string[] = [];
  for (const m of report.merges) {
    for (const f of m.files) {
      lines.push(`${LABEL[f.status]} ${short(m.commit)} ${f.path}  (${m.subject}; ${parentsText(m.parents)})`);
      for (const finding of f.findings) lines.push(`     ${finding.message}`);
    }
  }
  // Per file: a merge may touch several state files.
  const files = report.merges.flatMap((m) => m.files);
  const count = (s: string) => files.filter((f) => f.status === s).length;
  lines.push(
    `verify: ${report.mergesSeen} merge commit(s), ${files.length} touched state files: ` +
      `${count("pass")} pass, ${count("fail")} fail, ${count("unverifiable")} unverifiable`,
  );
  return lines.join("\n") + "\n";
}

export function historyJson(report: HistoryReport): string {
  const ok = report.merges.every((m) => m.status === "pass");
  return JSON.stringify({ ok, mergesSeen: report.mergesSeen, merges: report.merges }, null, 2) + "\n";
}

export function prText(report: PrReport): string {
  const lines: string[] = [];
  for (const f of report.files) {
    lines.push(`${LABEL[f.status]} ${f.path}: ${f.summary}`);
    for (const finding of f.findings) lines.push(`     ${finding.message}`);
    for (const note of f.notes) lines.push(`     note: ${note}`);
  }
  const verdict =
    report.files.length === 0
      ? "no state file is changed on both sides: the forge's merge is the driver's"
      : report.status === "pass"
        ? "the forge's merge of every state file agrees with the driver"
        : "do not press the merge button for this pull request";
  lines.push(`verify --pr ${short(report.target)} ${short(report.head)}: ${verdict}`);
  return lines.join("\n") + "\n";
}

export function prJson(report: PrReport): string {
  return JSON.stringify({ ok: report.status === "pass", ...report }, null, 2) + "\n";
}
