// The difference of two Terraform states, read like a plan: a header line with serial and
// lineage, then one line per instance added (+), removed (-) or replaced (-/+, its id or
// identity changed), one `~` line per changed attribute, and outputs the same way. Secrets
// (sensitive attributes and outputs, private data, secret names) show as short hashes.
// Pure: it takes parsed documents and a profile.

import { ABSENT, JsonNumber, isObject, valuesEqual, type JsonObject, type JsonValue, type Path, type Slot } from "../../core/values";
import type { Profile } from "../../profiles/profile";
import { redactValue } from "../../report/redact";
import { attributeChanges, type AttributeChange } from "../attributeChanges";
import { addressOfResource, deposedText, indexText, instanceSegment, resourceSegment } from "../../formats/tfstate/addresses";

export interface StateHeader {
  serial: string | null;
  lineage: string | null;
}

export type PlanChange =
  | { op: "+" | "-"; address: string }
  | { op: "-/+"; address: string; reason: string }
  | { op: "~"; address: string; at: Path; change: AttributeChange };

export interface PlanDiff {
  old: StateHeader | null;
  new: StateHeader | null;
  changes: PlanChange[];
}

const EMPTY: JsonObject = new Map();

function header(doc: Slot): StateHeader | null {
  if (!isObject(doc)) return null;
  const serial = doc.get("serial");
  const lineage = doc.get("lineage");
  return { serial: serial instanceof JsonNumber ? serial.text : null, lineage: typeof lineage === "string" ? lineage : null };
}

interface Located {
  address: string;
  /** The merge's path to the record (keyed segments), for the profile's secret rules. */
  path: Path;
  value: JsonObject;
}

function outputsOf(doc: Slot): Map<string, Located> {
  const out = new Map<string, Located>();
  const outputs = isObject(doc) ? doc.get("outputs") : undefined;
  if (isObject(outputs)) for (const [name, o] of outputs) if (isObject(o)) out.set(`output.${name}`, { address: `output.${name}`, path: ["outputs", name], value: o });
  return out;
}

function instancesOf(doc: Slot): Map<string, Located> {
  const out = new Map<string, Located>();
  const resources = isObject(doc) ? doc.get("resources") : undefined;
  if (!Array.isArray(resources)) return out;
  for (const r of resources) {
    const instances = isObject(r) ? r.get("instances") : undefined;
    if (!isObject(r) || !Array.isArray(instances)) continue;
    const rs = resourceSegment(r) ?? "?";
    for (const i of instances) {
      if (!isObject(i)) continue;
      const address = addressOfResource(r) + indexText(i.get("index_key")) + deposedText(i.get("deposed"));
      out.set(address, { address, path: ["resources", rs, "instances", instanceSegment(i) ?? "?"], value: i });
    }
  }
  return out;
}

function replacedBecause(before: JsonObject, after: JsonObject): string | null {
  const attrs = (i: JsonObject) => (isObject(i.get("attributes")) ? (i.get("attributes") as JsonObject) : EMPTY);
  const slot = (m: JsonObject, k: string): Slot => (m.has(k) ? (m.get(k) as JsonValue) : ABSENT);
  if (!valuesEqual(slot(attrs(before), "id"), slot(attrs(after), "id"))) return "id changed";
  if (!valuesEqual(slot(before, "identity"), slot(after, "identity"))) return "identity changed";
  return null;
}

function recordChanges(before: Map<string, Located>, after: Map<string, Located>, profile: Profile, out: PlanChange[], isInstance: boolean): void {
  for (const address of new Set([...before.keys(), ...after.keys()])) {
    const b = before.get(address);
    const a = after.get(address);
    if (!b) out.push({ op: "+", address });
    else if (!a) out.push({ op: "-", address });
    else if (!valuesEqual(b.value, a.value)) {
      const reason = isInstance ? replacedBecause(b.value, a.value) : null;
      if (reason) {
        out.push({ op: "-/+", address, reason });
        continue;
      }
      // Attributes by their own names (tags.Env); other instance fields (status, private) by theirs.
      const split = (v: JsonObject): [JsonObject, JsonObject] => {
        const rest = new Map(v);
        rest.delete("attributes");
        return [isObject(v.get("attributes")) && isInstance ? (v.get("attributes") as JsonObject) : EMPTY, isInstance ? rest : v];
      };
      const [ba, brest] = split(b.value);
      const [aa, arest] = split(a.value);
      for (const change of attributeChanges(ba, aa, [...a.path, "attributes"], [], profile)) out.push({ op: "~", address, at: [...a.path, "attributes"], change });
      for (const change of attributeChanges(brest, arest, a.path, [], profile)) out.push({ op: "~", address, at: a.path, change });
    }
  }
}

export function planDiff(oldDoc: Slot, newDoc: Slot, profile: Profile): PlanDiff {
  const changes: PlanChange[] = [];
  recordChanges(instancesOf(oldDoc), instancesOf(newDoc), profile, changes, true);
  recordChanges(outputsOf(oldDoc), outputsOf(newDoc), profile, changes, false);
  return { old: header(oldDoc), new: header(newDoc), changes };
}

const MAX_VALUE = 120;

function valueText(v: Slot, path: Path, profile: Profile, showSecrets: boolean): string {
  if (v === ABSENT) return "(absent)";
  const text = compactJson(redactValue(v, path, profile, { showSecrets }));
  return text.length > MAX_VALUE ? text.slice(0, MAX_VALUE - 3) + "..." : text;
}

function compactJson(v: JsonValue): string {
  if (v instanceof JsonNumber) return v.text;
  if (Array.isArray(v)) return "[" + v.map(compactJson).join(", ") + "]";
  if (isObject(v)) return "{" + [...v].map(([k, x]) => `${JSON.stringify(k)}: ${compactJson(x)}`).join(", ") + "}";
  return JSON.stringify(v);
}

function headerText(p: PlanDiff): string {
  const side = (h: StateHeader | null) => (h === null ? "(none)" : h.serial ?? "?");
  const lineages = [p.old?.lineage, p.new?.lineage].filter((l): l is string => typeof l === "string");
  const lineage = new Set(lineages).size > 1 ? `lineage ${lineages[0]} -> ${lineages[1]} (a different state)` : `lineage ${lineages[0] ?? "?"}`;
  return `terraform state: serial ${side(p.old)} -> ${side(p.new)}, ${lineage}`;
}

export interface PlanRenderOptions {
  showSecrets?: boolean;
  paint?: (style: "red" | "green" | "yellow" | "bold", text: string) => string;
}

/** The plan as lines (no trailing newline). */
export function renderPlanLines(p: PlanDiff, profile: Profile, options: PlanRenderOptions = {}): string[] {
  const paint = options.paint ?? ((_s, t) => t);
  const show = options.showSecrets === true;
  const lines = [paint("bold", headerText(p))];
  if (p.changes.length === 0) lines.push("no change (only formatting, order, or the serial differ)");
  for (const c of p.changes) {
    if (c.op === "+") lines.push(paint("green", `+ ${c.address}`));
    else if (c.op === "-") lines.push(paint("red", `- ${c.address}`));
    else if (c.op === "-/+") lines.push(paint("yellow", `-/+ ${c.address} (replaced: ${c.reason})`));
    else if (c.op === "~") {
      const full = [...c.at, ...c.change.path];
      const name = c.change.path.join(".");
      lines.push(paint("yellow", `~ ${c.address}: ${name} ${valueText(c.change.old, full, profile, show)} -> ${valueText(c.change.new, full, profile, show)}`));
    }
  }
  return lines;
}

/** The plan for scripts (values redacted like the text). */
export function planJson(p: PlanDiff, profile: Profile, showSecrets = false): unknown {
  const side = (v: Slot, path: Path) => (v === ABSENT ? null : compactJson(redactValue(v, path, profile, { showSecrets })));
  return {
    kind: "tfstate",
    old: p.old,
    new: p.new,
    changes: p.changes.map((c) =>
      c.op === "~" ? { op: c.op, address: c.address, attribute: c.change.path, old: side(c.change.old, [...c.at, ...c.change.path]), new: side(c.change.new, [...c.at, ...c.change.path]) } : c,
    ),
  };
}

/** One line for `statefile-merge log`: "added 2, replaced aws_instance.app, changed 3". */
export function planSummary(p: PlanDiff): string {
  const by = (op: PlanChange["op"]) => [...new Set(p.changes.filter((c) => c.op === op).map((c) => c.address))];
  const parts: string[] = [];
  const list = (xs: string[]) => (xs.length > 3 ? `${xs.slice(0, 3).join(", ")} and ${xs.length - 3} more` : xs.join(", "));
  for (const [op, verb] of [["+", "added"], ["-", "removed"], ["-/+", "replaced"], ["~", "changed"]] as const) {
    const xs = by(op);
    if (xs.length) parts.push(`${verb} ${list(xs)}`);
  }
  return parts.length ? parts.join("; ") : "no change";
}
