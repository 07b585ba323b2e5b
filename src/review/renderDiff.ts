// The semantic diff for people (indented lines, coloured on a terminal) and for scripts
// (JSON). Every value goes through the report's redaction: secrets show as short hashes.

import { ABSENT, type JsonValue, type Path, type Slot } from "../core/values";
import type { Profile } from "../profiles/profile";
import { redactValue, type RedactOptions } from "../report/redact";
import { pythonDumps } from "../formats/pythonJson";
import { attributeLabel, type AttributeChange } from "./attributeChanges";
import type { DeploymentDiff, ResourceDiff, StateDiff } from "./semanticDiff";
import { STATE_NAMES } from "./semanticDiff";
import { deploySummary } from "./deploySummary";
import { planJson, renderPlanLines } from "./tfstate/planDiff";

export interface RenderOptions extends RedactOptions {
  color?: boolean;
}

const ANSI = { bold: "1", red: "31", green: "32", yellow: "33", cyan: "36", dim: "2" } as const;
type Paint = (style: keyof typeof ANSI, text: string) => string;

function painter(color: boolean): Paint {
  return color ? (style, text) => `\x1b[${ANSI[style]}m${text}\x1b[0m` : (_style, text) => text;
}

const MAX_VALUE = 200;

function valueText(v: Slot, path: Path, profile: Profile, options: RedactOptions): string {
  if (v === ABSENT) return "(absent)";
  const shown = redactValue(v, path, profile, options);
  const text = typeof shown === "string" ? JSON.stringify(shown) : pythonDumps(shown);
  return text.length > MAX_VALUE ? text.slice(0, MAX_VALUE - 3) + "..." : text;
}

function changeLine(c: AttributeChange, record: Path, profile: Profile, options: RenderOptions, paint: Paint, indent: string): string {
  const full = [...record, ...c.path];
  const name = c.path.length ? attributeLabel(c.path) : "(document)";
  const note = c.volatile ? paint("dim", "  (rewritten by every deploy)") : "";
  if (c.old === ABSENT) return indent + paint("green", `+ ${name}: ${valueText(c.new, full, profile, options)}`) + note;
  if (c.new === ABSENT) return indent + paint("red", `- ${name}: ${valueText(c.old, full, profile, options)}`) + note;
  return indent + paint("yellow", `~ ${name}: ${valueText(c.old, full, profile, options)} -> ${valueText(c.new, full, profile, options)}`) + note;
}

function stateText(s: string | null): string {
  return s === null ? "default" : STATE_NAMES[s] ?? s;
}

function resourceHeader(r: ResourceDiff, paint: Paint): string {
  const what: string[] = [];
  if (r.change === "added") what.push(paint("green", "added"));
  else if (r.change === "removed") what.push(paint("red", "removed"));
  else if (r.change === "re-created") what.push(paint("yellow", `re-created (${r.identity.join(", ")} changed)`));
  if (r.deployed) what.push(paint("cyan", "deployed"));
  if (r.state) {
    const move = `${stateText(r.state.old)} -> ${stateText(r.state.new)}`;
    what.push(r.state.verb === "changed" ? `state ${move}` : `${r.state.verb} (${move})`);
  }
  if (what.length === 0) what.push("changed");
  return `  ${paint("bold", r.name)}${r.type ? ` (${r.type})` : ""}: ${what.join(", ")}`;
}

function deploymentLines(d: DeploymentDiff, profile: Profile, options: RenderOptions, paint: Paint): string[] {
  const head = d.change === "changed" ? "deployment" : d.change === "added" ? "added deployment" : "removed deployment";
  const lines = [paint("bold", `${head} ${d.name ?? d.uuid}${d.name ? ` (${d.uuid})` : ""}`)];
  for (const c of d.attributes) lines.push(changeLine(c, [d.uuid], profile, options, paint, "  "));
  for (const r of d.resources) {
    lines.push(resourceHeader(r, paint));
    for (const c of r.attributes) lines.push(changeLine(c, [d.uuid, "resources", r.name], profile, options, paint, "    "));
  }
  return lines;
}

/** The diff as lines of text (no trailing newline); "no change" lines when nothing differs. */
export function renderDiffText(diff: StateDiff, profile: Profile, options: RenderOptions = {}): string[] {
  const paint = painter(options.color === true);
  if (diff.kind === "tfstate") return renderPlanLines(diff.plan, profile, { showSecrets: options.showSecrets, paint });
  if (diff.kind === "json") {
    if (diff.changes.length === 0) return ["no change (only formatting or key order differ)"];
    return diff.changes.map((c) => changeLine(c, [], profile, options, paint, ""));
  }
  if (diff.deployments.length === 0) return ["no change (only formatting, key order or embedded-JSON order differ)"];
  const lines = [paint("bold", `summary: ${deploySummary(diff)}`)];
  for (const d of diff.deployments) lines.push(...deploymentLines(d, profile, options, paint));
  return lines;
}

function plain(v: JsonValue): unknown {
  if (v instanceof Map) return Object.fromEntries([...v].map(([k, x]) => [k, plain(x)]));
  if (Array.isArray(v)) return v.map(plain);
  if (v !== null && typeof v === "object") return pythonDumps(v);
  return v;
}

function changeJson(c: AttributeChange, record: Path, profile: Profile, options: RedactOptions): unknown {
  const full = [...record, ...c.path];
  const side = (v: Slot) => (v === ABSENT ? null : plain(redactValue(v, full, profile, options)));
  return { path: c.path, old: side(c.old), new: side(c.new), volatile: c.volatile };
}

/** The diff as a plain object for JSON.stringify (absent values are null). */
export function diffJson(diff: StateDiff, profile: Profile, options: RedactOptions = {}): unknown {
  if (diff.kind === "tfstate") return planJson(diff.plan, profile, options.showSecrets === true);
  if (diff.kind === "json") return { kind: "json", changes: diff.changes.map((c) => changeJson(c, [], profile, options)) };
  return {
    kind: "nixops",
    summary: deploySummary(diff),
    deployments: diff.deployments.map((d) => ({
      uuid: d.uuid,
      name: d.name,
      change: d.change,
      attributes: d.attributes.map((c) => changeJson(c, [d.uuid], profile, options)),
      resources: d.resources.map((r) => ({
        name: r.name,
        type: r.type,
        change: r.change,
        deployed: r.deployed,
        state: r.state,
        identity: r.identity,
        attributes: r.attributes.map((c) => changeJson(c, [d.uuid, "resources", r.name], profile, options)),
      })),
    })),
  };
}
