// A Terraform state as people read it in `git log -p` and `git show` (Git's textconv): one
// line per value, named by its address, so that Git's line diff of two states reads like a
// plan (`-aws_instance.web[1].ami = "ami-1"`, `+aws_instance.web[1].ami = "ami-2"`).
// Secrets show as short hashes, by the same rules as every other output.

import { JsonNumber, isObject, type JsonObject, type JsonValue, type Path } from "../../core/values";
import type { Profile } from "../../profiles/profile";
import { redactValue } from "../../report/redact";
import { addressOfResource, deposedText, indexText, instanceSegment, resourceSegment } from "../../formats/tfstate/addresses";

function scalarText(v: JsonValue): string {
  if (v instanceof JsonNumber) return v.text;
  if (Array.isArray(v) && v.length === 0) return "[]";
  if (isObject(v) && v.size === 0) return "{}";
  return JSON.stringify(v);
}

/** `name = value` lines for a value, nested objects and lists opened up by `.key` and `[i]`. */
function flatten(name: string, v: JsonValue, out: string[]): void {
  if (isObject(v) && v.size > 0) {
    for (const [k, x] of v) flatten(`${name}.${/^[A-Za-z_][A-Za-z0-9_-]*$/.test(k) ? k : JSON.stringify(k)}`, x, out);
  } else if (Array.isArray(v) && v.length > 0) {
    v.forEach((x, i) => flatten(`${name}[${i}]`, x, out));
  } else {
    out.push(`${name} = ${scalarText(v)}`);
  }
}

export function readableTfstate(doc: JsonObject, profile: Profile, showSecrets: boolean): string {
  const shown = (v: JsonValue, path: Path) => redactValue(v, path, profile, { showSecrets });
  const serial = doc.get("serial");
  const lines = [
    `# terraform state: serial ${serial instanceof JsonNumber ? serial.text : "?"}, lineage ${String(doc.get("lineage"))}, written by ${String(doc.get("terraform_version"))}`,
  ];
  const outputs = doc.get("outputs");
  if (isObject(outputs)) {
    for (const [name, o] of outputs) {
      if (!isObject(o)) continue;
      flatten(`output.${name}${o.get("sensitive") === true ? " (sensitive)" : ""}`, shown(o.get("value") ?? null, ["outputs", name, "value"]), lines);
    }
  }
  const resources = doc.get("resources");
  for (const r of Array.isArray(resources) ? resources : []) {
    const instances = isObject(r) ? r.get("instances") : undefined;
    if (!isObject(r) || !Array.isArray(instances)) continue;
    for (const i of instances) {
      if (!isObject(i)) continue;
      const address = addressOfResource(r) + indexText(i.get("index_key")) + deposedText(i.get("deposed"));
      const path = ["resources", resourceSegment(r) ?? "?", "instances", instanceSegment(i) ?? "?"];
      const status = i.get("status");
      lines.push(`${address}:${typeof status === "string" ? ` (${status})` : ""}`);
      const attributes = i.get("attributes");
      if (isObject(attributes)) for (const [k, x] of attributes) flatten(`  ${address}.${k}`, shown(x, [...path, "attributes", k]), lines);
      for (const [k, x] of i) {
        if (k === "attributes" || k === "index_key" || k === "deposed" || k === "status" || k === "sensitive_attributes") continue;
        flatten(`  ${address} ${k}`, shown(x, [...path, k]), lines);
      }
    }
  }
  return lines.join("\n") + "\n";
}
