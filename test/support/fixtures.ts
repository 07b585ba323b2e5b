// Shared builders for NixOps states: load a real fixture, change it the way a deploy would,
// and write it back in NixOps' own layout. Tests build states with these, not with pasted JSON.

import { readFileSync, readdirSync } from "node:fs";
import { join, resolve } from "node:path";
import { Embedded, isObject, type JsonObject, type JsonValue } from "../../src/core/values";
import { parseJson } from "../../src/formats/parseJson";
import { nixopsLayout, type PythonSeparators } from "../../src/formats/nixopsExport";
import { renderDocument } from "../../src/formats/renderDocument";

export const REPO_ROOT = resolve(__dirname, "../..");
export const FIXTURE_DIR = join(REPO_ROOT, "fixtures", "nixops");
export const BIN = join(REPO_ROOT, "bin", "statefile-merge.js");

export const FIXTURES = readdirSync(FIXTURE_DIR).filter((f) => f.endsWith(".export.json"));

export function fixtureText(name: string): string {
  return readFileSync(join(FIXTURE_DIR, name.endsWith(".json") ? name : `${name}.export.json`), "utf8");
}

/** A NixOps state built from a fixture, changed in place by the methods below. */
export class State {
  constructor(
    readonly doc: JsonObject,
    readonly separators: PythonSeparators = "py3",
  ) {}

  static fixture(name: string): State {
    const text = fixtureText(name);
    return new State(parseJson(text).value as JsonObject, /, \n/.test(text) ? "py2" : "py3");
  }

  clone(): State {
    return new State(parseJson(this.text()).value as JsonObject, this.separators);
  }

  /** The UUID of the deployment with this `name` (or the UUID itself). */
  uuid(deployment: string): string {
    for (const [uuid, d] of this.doc) if (uuid === deployment || (isObject(d) && d.get("name") === deployment)) return uuid;
    throw new Error(`no deployment ${deployment}`);
  }

  deployment(deployment: string): JsonObject {
    return this.doc.get(this.uuid(deployment)) as JsonObject;
  }

  resources(deployment: string): JsonObject {
    return this.deployment(deployment).get("resources") as JsonObject;
  }

  resource(deployment: string, name: string): JsonObject {
    const r = this.resources(deployment).get(name);
    if (!isObject(r)) throw new Error(`no resource ${name}`);
    return r;
  }

  set(deployment: string, resource: string | null, attr: string, value: string): this {
    (resource === null ? this.deployment(deployment) : this.resource(deployment, resource)).set(attr, value);
    return this;
  }

  get(deployment: string, resource: string | null, attr: string): string | undefined {
    const v = (resource === null ? this.deployment(deployment) : this.resource(deployment, resource)).get(attr);
    return typeof v === "string" ? v : undefined;
  }

  remove(deployment: string, resource: string | null, attr?: string): this {
    if (attr === undefined && resource !== null) this.resources(deployment).delete(resource);
    else if (attr !== undefined) (resource === null ? this.deployment(deployment) : this.resource(deployment, resource)).delete(attr);
    return this;
  }

  addResource(deployment: string, name: string, attrs: Record<string, string>): this {
    this.resources(deployment).set(name, new Map(Object.entries(attrs)));
    return this;
  }

  /** Changes one key inside an embedded-JSON attribute, keeping the rest of its text's order. */
  setInner(deployment: string, resource: string | null, attr: string, innerPath: string[], value: JsonValue): this {
    const text = this.get(deployment, resource, attr);
    if (text === undefined) throw new Error(`no attribute ${attr}`);
    const parsed = parseJson(text).value;
    let node = parsed as JsonObject;
    for (const k of innerPath.slice(0, -1)) node = node.get(k) as JsonObject;
    node.set(innerPath[innerPath.length - 1], value);
    return this.set(deployment, resource, attr, pyDumps(parsed));
  }

  text(separators: PythonSeparators = this.separators): string {
    return renderDocument(this.doc, nixopsLayout(separators), { size: 7, ours: "", base: "", theirs: "", style: "merge" });
  }
}

/** Python's json.dumps (default separators, ensure_ascii), written here independently of src/. */
export function pyDumps(v: JsonValue): string {
  if (v instanceof Embedded) return pyDumps(v.text);
  if (typeof v === "string") return JSON.stringify(v).replace(/[\u007f-\uffff]/g, (c) => "\\u" + c.charCodeAt(0).toString(16).padStart(4, "0"));
  if (Array.isArray(v)) return "[" + v.map(pyDumps).join(", ") + "]";
  if (isObject(v)) return "{" + [...v].map(([k, x]) => pyDumps(k) + ": " + pyDumps(x)).join(", ") + "}";
  if (v === null || typeof v === "boolean") return String(v);
  return v.text;
}
