// What the driver tells people (one line per conflict and per auto-resolved value, on
// stderr) and scripts (--report-json). Secrets are hashed in both.

import { ABSENT, type JsonValue, type Slot } from "../core/values";
import type { AutoResolved, Conflict, HunkSide } from "../core/merged";
import type { Profile } from "../profiles/profile";
import { redactValue, shortText, type RedactOptions } from "./redact";
import { renderDocument } from "../formats/renderDocument";
import { NO_MARKERS, PLAIN_JSON_LAYOUT } from "../formats/plainRendering";

const KIND_TEXT: Record<Conflict["kind"], string> = {
  "modify/modify": "changed on both sides",
  "add/add": "added on both sides",
  "delete/modify": "deleted in ours, changed in theirs",
  "modify/delete": "changed in ours, deleted in theirs",
  identity: "re-created on one side and changed on the other",
  type: "the resource type differs",
  duplicate: "a key written twice",
  lineage: "two different states: the lineages differ",
};

function sideAction(base: HunkSide, side: HunkSide, text: (v: HunkSide) => string): string {
  if (side === ABSENT) return "deleted it";
  if (base === ABSENT) return "added " + text(side);
  return "made it " + text(side);
}

/** One conflict as a line, without a "statefile-merge: " prefix (the driver adds it, not listings). */
export function conflictLine(c: Conflict, profile: Profile, documents: readonly Slot[], options: RedactOptions = {}): string {
  const text = (v: HunkSide) => shortText(v, c.path, profile, options);
  return (
    `CONFLICT (${c.kind}, ${KIND_TEXT[c.kind]}) in ${profile.describePath(c.path, documents)}: ` +
    `ours ${sideAction(c.base, c.ours, text)}; theirs ${sideAction(c.base, c.theirs, text)}`
  );
}

export function autoResolvedLine(a: AutoResolved, profile: Profile, documents: readonly Slot[]): string {
  return `statefile-merge: auto-resolved volatile value in ${profile.describePath(a.path, documents)}: kept ${a.kept ?? "ours"}' ${shortText(a.kept === "theirs" ? a.theirs : a.ours, a.path, profile)}`;
}

export interface ReportInput {
  conflicts: readonly Conflict[];
  autoResolved: readonly AutoResolved[];
  fallback: string | null;
  profile: Profile;
}

/** The --report-json document; absent sides are null. */
export function reportJson(input: ReportInput, options: RedactOptions = {}): string {
  const { profile } = input;
  const conflicts: JsonValue[] = input.conflicts.map(
    (c) =>
      new Map<string, JsonValue>([
        ["path", [...c.path]],
        ["kind", c.kind],
        ["ours", redactValue(c.ours, c.path, profile, options)],
        ["theirs", redactValue(c.theirs, c.path, profile, options)],
        ["base", redactValue(c.base, c.path, profile, options)],
      ]),
  );
  const autoResolved: JsonValue[] = input.autoResolved.map((a) => new Map<string, JsonValue>([["path", [...a.path]]]));
  const doc = new Map<string, JsonValue>([
    ["conflicts", conflicts],
    ["autoResolved", autoResolved],
    ["fallback", input.fallback],
  ]);
  return renderDocument(doc, PLAIN_JSON_LAYOUT, NO_MARKERS);
}
