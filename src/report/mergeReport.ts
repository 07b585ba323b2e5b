// What the driver tells people (one line per conflict and per auto-resolved value, on
// stderr) and scripts (--report-json). Secrets are hashed in both.

import { ABSENT, Embedded, isObject, type JsonValue, type Path, type Slot } from "../core/values";
import type { AutoResolved, Conflict, HunkSide } from "../core/merged";
import type { Profile } from "../profiles/profile";
import { redactValue, shortText, type RedactOptions } from "./redact";
import { childAt } from "../core/mergeKeyedArrays";
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
  "duplicate-name": "two deployments with one name",
  "same-object": "one object moved to two addresses",
};

function sideAction(base: HunkSide, side: HunkSide, text: (v: HunkSide) => string): string {
  if (side === ABSENT) return base === ABSENT ? "does not have it" : "deleted it";
  if (base === ABSENT) return "added " + text(side);
  return "made it " + text(side);
}

/** One conflict as a line, without a "statefile-merge: " prefix (the driver adds it, not listings). */
export function conflictLine(c: Conflict, profile: Profile, documents: readonly Slot[], options: RedactOptions = {}): string {
  const text = (v: HunkSide) => shortText(v, c.path, profile, options);
  // Each record with the name, by UUID: `nixops -d NAME` needs the user to tell them apart.
  const where = (p: Path) => profile.describePath(p, documents, options.showSecrets);
  const sameName = c.sameNameAs ? `; the same name as ${c.sameNameAs.map(where).join(" and ")}` : "";
  return (
    `CONFLICT (${c.kind}, ${KIND_TEXT[c.kind]}) in ${where(c.path)}${sameName}: ` +
    `ours ${sideAction(c.base, c.ours, text)}; theirs ${sideAction(c.base, c.theirs, text)}`
  );
}

export function autoResolvedLine(a: AutoResolved, profile: Profile, documents: readonly Slot[]): string {
  const where = profile.describePath(a.path, documents);
  const deleted = deletedAbove(a.path, documents);
  if (deleted) {
    // The record is gone from the result: no value of it to name, only whose deletion stood.
    const other = deleted.by === "ours" ? "theirs" : "ours";
    return `statefile-merge: auto-resolved volatile value in ${where}: ${deleted.by} deleted ${profile.describePath(deleted.path, documents)}, and ${other} changed only volatile values in it, so it stays deleted`;
  }
  return `statefile-merge: auto-resolved volatile value in ${where}: kept ${a.kept ?? "ours"}' ${shortText(a.kept === "theirs" ? a.theirs : a.ours, a.path, profile)}`;
}

/**
 * The record holding `path` that one side deleted while the other only rewrote volatile values
 * in it (the merge keeps the deletion), found by walking the three documents; null otherwise.
 */
function deletedAbove(path: Path, documents: readonly Slot[]): { path: Path; by: "ours" | "theirs" } | null {
  const open = (v: Slot) => (v instanceof Embedded ? v.value : v);
  const container = (v: Slot) => isObject(open(v)) || Array.isArray(open(v));
  let [base, ours, theirs]: [Slot, Slot, Slot] = [documents[0], documents[1], documents[2]];
  for (let i = 0; i < path.length - 1; i++) {
    if (!container(base) || !container(ours) || !container(theirs)) return null;
    // Into an object by key, a keyed array by the element's identity (`[id="a"]`), embedded JSON.
    [base, ours, theirs] = [childAt(base, path[i]), childAt(ours, path[i]), childAt(theirs, path[i])];
    if (base === ABSENT) return null;
    if (ours === ABSENT && theirs !== ABSENT) return { path: path.slice(0, i + 1), by: "ours" };
    if (theirs === ABSENT && ours !== ABSENT) return { path: path.slice(0, i + 1), by: "theirs" };
  }
  return null;
}

export interface ReportInput {
  conflicts: readonly Conflict[];
  autoResolved: readonly AutoResolved[];
  fallback: string | null;
  /** Null for a fallback, which has no conflicts to redact. */
  profile: Profile | null;
}

/** The --report-json document; absent sides are null. */
export function reportJson(input: ReportInput, options: RedactOptions = {}): string {
  const { profile } = input;
  const shown = (p: Path): JsonValue => (profile === null || options.showSecrets ? [...p] : [...profile.shownPath(p)]);
  const conflicts: JsonValue[] = profile === null ? [] : input.conflicts.map(
    (c) =>
      new Map<string, JsonValue>([
        ["path", shown(c.path)],
        ["kind", c.kind],
        ["ours", redactValue(c.ours, c.path, profile, options)],
        ["theirs", redactValue(c.theirs, c.path, profile, options)],
        ["base", redactValue(c.base, c.path, profile, options)],
        ...(c.sameNameAs ? [["sameNameAs", c.sameNameAs.map(shown)] as [string, JsonValue]] : []),
      ]),
  );
  const autoResolved: JsonValue[] = input.autoResolved.map((a) => new Map<string, JsonValue>([["path", shown(a.path)]]));
  const doc = new Map<string, JsonValue>([
    ["conflicts", conflicts],
    ["autoResolved", autoResolved],
    ["fallback", input.fallback],
    // Which profile read the file: every command that reads it must say the same.
    ["profile", profile === null ? null : profile.name],
  ]);
  return renderDocument(doc, PLAIN_JSON_LAYOUT, NO_MARKERS);
}
