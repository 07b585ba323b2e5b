// Shared builders for Terraform states: load a real fixture, change it the way an apply would,
// and write it back the way Terraform does. The writer here is written independently of src/
// (JSON.stringify plus Go's extra escapes), so tests can hold src/'s writer against it.

import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { JsonNumber, isObject, type JsonObject, type JsonValue } from "../../src/core/values";
import { parseJson } from "../../src/formats/parseJson";
import { REPO_ROOT } from "./fixtures";

export const TFSTATE_DIR = join(REPO_ROOT, "fixtures", "tfstate");
export const TFSTATE_FIXTURES = readdirSync(TFSTATE_DIR).filter((f) => f.endsWith(".tfstate"));
export const ROUNDTRIP_FIXTURES = readdirSync(join(TFSTATE_DIR, "roundtrip")).map((f) => join("roundtrip", f));

export function tfstateText(name: string): string {
  return readFileSync(join(TFSTATE_DIR, name.endsWith(".tfstate") ? name : `${name}.tfstate`), "utf8");
}

/** A string as Go's encoding/json writes it: JSON.stringify's escapes, plus <, >, &, U+2028, U+2029. */
export function goString(s: string): string {
  return JSON.stringify(s).replace(/[<>&\u2028\u2029]/g, (c) => "\\u" + c.charCodeAt(0).toString(16).padStart(4, "0"));
}

/** json.MarshalIndent(v, "", "  ") + "\n" for a value whose keys are already in writer order. */
export function goIndent(v: JsonValue, depth = 0): string {
  const pad = "  ".repeat(depth + 1);
  const close = "  ".repeat(depth);
  if (typeof v === "string") return goString(v);
  if (v instanceof JsonNumber) return v.text;
  if (v === null || typeof v === "boolean") return String(v);
  if (Array.isArray(v)) return v.length === 0 ? "[]" : "[\n" + v.map((x) => pad + goIndent(x, depth + 1)).join(",\n") + "\n" + close + "]";
  if (isObject(v)) {
    if (v.size === 0) return "{}";
    return "{\n" + [...v].map(([k, x]) => pad + goString(k) + ": " + goIndent(x, depth + 1)).join(",\n") + "\n" + close + "}";
  }
  throw new Error("not a plain JSON value");
}

const num = (n: number | bigint) => new JsonNumber(String(n));

export function obj(entries: Record<string, JsonValue>): JsonObject {
  return new Map(Object.entries(entries));
}

function clone<T extends JsonValue>(v: T): T {
  if (isObject(v)) return new Map([...(v as JsonObject)].map(([k, x]) => [k, clone(x)])) as T;
  if (Array.isArray(v)) return v.map(clone) as T;
  return v;
}

/** An instance key: none, a number (count) or a string (for_each). */
export type IndexKey = number | string | null;

/** A Terraform state built from a fixture and changed in place, the way `terraform apply` would. */
export class TfState {
  constructor(readonly doc: JsonObject) {}

  static fixture(name: string): TfState {
    return new TfState(parseJson(tfstateText(name)).value as JsonObject);
  }

  /** A small state of our own: one null_resource per name, in the root module. */
  static small(lineage = "5f4dcc3b-0000-4000-8000-000000000001", names: string[] = ["a", "b", "c"]): TfState {
    const s = new TfState(
      obj({ version: num(4), terraform_version: "1.11.4", serial: num(1), lineage, outputs: new Map(), resources: [], check_results: null }),
    );
    for (const n of names) s.addResource(null, "managed", "null_resource", n, [{ key: null, attributes: { id: `${n}-1`, triggers: null } }]);
    return s;
  }

  clone(): TfState {
    return new TfState(clone(this.doc));
  }

  get serial(): bigint {
    return BigInt((this.doc.get("serial") as JsonNumber).text);
  }

  /** What every apply does: one more serial. */
  applied(): this {
    this.doc.set("serial", num(this.serial + 1n));
    return this;
  }

  set(key: string, value: JsonValue): this {
    this.doc.set(key, value);
    return this;
  }

  resources(): JsonObject[] {
    return this.doc.get("resources") as JsonObject[];
  }

  resource(address: string): JsonObject {
    const r = this.resources().find((x) => addressOf(x) === address);
    if (!r) throw new Error(`no resource ${address}`);
    return r;
  }

  instance(address: string, key: IndexKey = null): JsonObject {
    const inst = (this.resource(address).get("instances") as JsonObject[]).find((i) => sameKey(i.get("index_key"), key));
    if (!inst) throw new Error(`no instance ${address}[${String(key)}]`);
    return inst;
  }

  attributes(address: string, key: IndexKey = null): JsonObject {
    return this.instance(address, key).get("attributes") as JsonObject;
  }

  setAttribute(address: string, key: IndexKey, name: string, value: JsonValue): this {
    const attrs = this.attributes(address, key);
    attrs.set(name, value);
    sortKeys(attrs);
    return this;
  }

  /** A replacement (destroy and create): a new id, and the changed attribute. */
  replace(address: string, key: IndexKey, newId: string, name?: string, value?: JsonValue): this {
    this.setAttribute(address, key, "id", newId);
    if (name !== undefined) this.setAttribute(address, key, name, value ?? null);
    return this;
  }

  removeResource(address: string): this {
    const list = this.resources();
    list.splice(list.indexOf(this.resource(address)), 1);
    return this;
  }

  removeInstance(address: string, key: IndexKey): this {
    const list = this.resource(address).get("instances") as JsonObject[];
    list.splice(list.indexOf(this.instance(address, key)), 1);
    return this;
  }

  addResource(
    module: string | null,
    mode: "managed" | "data",
    type: string,
    name: string,
    instances: { key: IndexKey; attributes: Record<string, JsonValue> }[],
    provider = 'provider["registry.terraform.io/hashicorp/null"]',
  ): this {
    const r = obj({});
    if (module !== null) r.set("module", module);
    r.set("mode", mode);
    r.set("type", type);
    r.set("name", name);
    r.set("provider", provider);
    r.set("instances", []);
    const list = this.resources();
    list.push(r);
    list.sort((a, b) => compareTuples(resourceTuple(a), resourceTuple(b)));
    for (const i of instances) this.addInstance(addressOf(r), i.key, i.attributes);
    return this;
  }

  addInstance(address: string, key: IndexKey, attributes: Record<string, JsonValue>): this {
    const inst = obj({});
    if (key !== null) inst.set("index_key", typeof key === "number" ? num(key) : key);
    inst.set("schema_version", num(0));
    const attrs = obj(attributes);
    sortKeys(attrs);
    inst.set("attributes", attrs);
    inst.set("sensitive_attributes", []);
    const list = this.resource(address).get("instances") as JsonObject[];
    list.push(inst);
    const rank = (i: JsonObject) => {
      const k = i.get("index_key");
      return k === undefined ? [0, ""] : k instanceof JsonNumber ? [1, Number(k.text)] : [2, k as string];
    };
    list.sort((a, b) => compareTuples(rank(a), rank(b)));
    return this;
  }

  setOutput(name: string, value: JsonValue, type: JsonValue = "string", sensitive = false): this {
    const outputs = this.doc.get("outputs") as JsonObject;
    const o = obj({ value, type });
    if (sensitive) o.set("sensitive", true);
    outputs.set(name, o);
    sortKeys(outputs);
    return this;
  }

  removeOutput(name: string): this {
    (this.doc.get("outputs") as JsonObject).delete(name);
    return this;
  }

  text(): string {
    return goIndent(this.doc) + "\n";
  }
}

function sortKeys(m: JsonObject): void {
  const entries = [...m].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  m.clear();
  for (const [k, v] of entries) m.set(k, v);
}

function sameKey(v: JsonValue | undefined, key: IndexKey): boolean {
  if (key === null) return v === undefined;
  if (typeof key === "number") return v instanceof JsonNumber && Number(v.text) === key;
  return v === key;
}

function resourceTuple(r: JsonObject): (string | number)[] {
  return ["module", "mode", "type", "name"].map((f) => (r.get(f) as string | undefined) ?? "");
}

function compareTuples(a: (string | number)[], b: (string | number)[]): number {
  for (let i = 0; i < a.length; i++) {
    if (a[i] < b[i]) return -1;
    if (a[i] > b[i]) return 1;
  }
  return 0;
}

/** module.x.aws_instance.web, data.foo.bar: the address Terraform prints (without index). */
export function addressOf(r: JsonObject): string {
  const module = r.get("module");
  const prefix = typeof module === "string" ? module + "." : "";
  return prefix + (r.get("mode") === "data" ? "data." : "") + `${r.get("type") as string}.${r.get("name") as string}`;
}
