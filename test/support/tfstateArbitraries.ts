// fast-check arbitraries for Terraform states and merge triples: a small state (root and
// module resources, managed and data, no key / count / for_each instances, outputs), and ours
// and theirs made from it by the edits applies make (attributes changed, objects replaced,
// instances and resources added and removed, outputs changed, private data, taints), each
// side with one or more serials more. Small value pools make the two sides collide.

import fc from "fast-check";
import { JsonNumber, type JsonValue } from "../../src/core/values";
import { TfState, obj, type IndexKey } from "./tfstate";

const VALUES = ["small", "large", "<b>&amp;</b>", "café\u2028", "x"];
const RESOURCES: [string | null, "managed" | "data", string, string][] = [
  [null, "managed", "null_resource", "a"],
  [null, "managed", "null_resource", "b"],
  [null, "data", "null_resource", "a"],
  ["module.net", "managed", "aws_subnet", "private"],
  ["module.net", "managed", "aws_subnet", "public"],
];
const KEYS: IndexKey[][] = [[null], [0, 1], ["x", "y"]];

export type TfEdit =
  | { kind: "attr"; target: number; name: string; value: string }
  | { kind: "replace"; target: number; id: string }
  | { kind: "addInstance"; resource: number; key: number }
  | { kind: "removeInstance"; target: number }
  | { kind: "addResource"; which: number }
  | { kind: "removeResource"; resource: number }
  | { kind: "output"; name: string; value: string }
  | { kind: "removeOutput"; name: string }
  | { kind: "private"; target: number; value: string }
  | { kind: "taint"; target: number };

export interface TfTriple {
  base: TfState;
  ours: TfState;
  theirs: TfState;
  oursEdits: TfEdit[];
  theirsEdits: TfEdit[];
}

function instanceKeys(s: TfState): [string, IndexKey][] {
  const out: [string, IndexKey][] = [];
  for (const r of s.resources()) {
    const address = addressOfResource(r);
    for (const i of r.get("instances") as Map<string, JsonValue>[]) {
      const k = i.get("index_key");
      out.push([address, k === undefined ? null : k instanceof JsonNumber ? Number(k.text) : (k as string)]);
    }
  }
  return out;
}

function addressOfResource(r: Map<string, JsonValue>): string {
  const m = r.get("module");
  return (typeof m === "string" ? m + "." : "") + (r.get("mode") === "data" ? "data." : "") + `${r.get("type") as string}.${r.get("name") as string}`;
}

function addressOf([module, mode, type, name]: (typeof RESOURCES)[number]): string {
  return (module ? module + "." : "") + (mode === "data" ? "data." : "") + `${type}.${name}`;
}

function addResource(s: TfState, which: number, keysStyle: number): void {
  const spec = RESOURCES[which % RESOURCES.length];
  if (s.resources().some((r) => addressOfResource(r) === addressOf(spec))) return;
  const keys = KEYS[keysStyle % KEYS.length];
  s.addResource(spec[0], spec[1], spec[2], spec[3], keys.map((key) => ({ key, attributes: { id: `id-${addressOf(spec)}-${String(key)}`, size: "small", tags: obj({ Env: "dev" }) } })));
}

export function applyTfEdit(s: TfState, e: TfEdit): void {
  const all = instanceKeys(s);
  const at = (n: number) => all[n % Math.max(all.length, 1)];
  switch (e.kind) {
    case "attr": {
      if (all.length === 0) return;
      const [address, key] = at(e.target);
      s.setAttribute(address, key, e.name, e.name === "tags" ? obj({ Env: e.value }) : e.value);
      return;
    }
    case "replace": {
      if (all.length === 0) return;
      const [address, key] = at(e.target);
      s.replace(address, key, e.id, "size", "large");
      return;
    }
    case "addInstance": {
      const rs = s.resources();
      if (rs.length === 0) return;
      const r = rs[e.resource % rs.length];
      const address = addressOfResource(r);
      const existing = instanceKeys(s).filter(([a]) => a === address).map(([, k]) => k);
      const key: IndexKey = existing.every((k) => typeof k === "number") && existing[0] !== null ? 2 + e.key : existing.every((k) => typeof k === "string") ? `z${e.key}` : null;
      if (key === null || existing.includes(key)) return;
      s.addInstance(address, key, { id: `new-${key}`, size: "small" });
      return;
    }
    case "removeInstance": {
      if (all.length === 0) return;
      const [address, key] = at(e.target);
      s.removeInstance(address, key);
      return;
    }
    case "addResource":
      addResource(s, e.which, e.which);
      return;
    case "removeResource": {
      const rs = s.resources();
      if (rs.length > 0) s.removeResource(addressOfResource(rs[e.resource % rs.length]));
      return;
    }
    case "output":
      s.setOutput(e.name, e.value);
      return;
    case "removeOutput":
      s.removeOutput(e.name);
      return;
    case "private": {
      if (all.length === 0) return;
      const [address, key] = at(e.target);
      s.instance(address, key).set("private", e.value);
      sortInstance(s.instance(address, key));
      return;
    }
    case "taint": {
      if (all.length === 0) return;
      const [address, key] = at(e.target);
      const inst = s.instance(address, key);
      inst.set("status", "tainted");
      sortInstance(inst);
      return;
    }
  }
}

/** Terraform's field order for the fields these edits add. */
function sortInstance(inst: Map<string, JsonValue>): void {
  const order = ["index_key", "status", "deposed", "schema_version", "attributes", "sensitive_attributes", "private"];
  const entries = [...inst].sort(([a], [b]) => order.indexOf(a) - order.indexOf(b));
  inst.clear();
  for (const [k, v] of entries) inst.set(k, v);
}

const target = fc.nat(20);
const value = fc.constantFrom(...VALUES);

export const tfEdit = (): fc.Arbitrary<TfEdit> =>
  fc.oneof(
    { weight: 5, arbitrary: fc.record({ kind: fc.constant("attr" as const), target, name: fc.constantFrom("size", "tags", "note"), value }) },
    { weight: 2, arbitrary: fc.record({ kind: fc.constant("replace" as const), target, id: fc.constantFrom("id-r1", "id-r2") }) },
    { weight: 1, arbitrary: fc.record({ kind: fc.constant("addInstance" as const), resource: target, key: fc.nat(1) }) },
    { weight: 1, arbitrary: fc.record({ kind: fc.constant("removeInstance" as const), target }) },
    { weight: 1, arbitrary: fc.record({ kind: fc.constant("addResource" as const), which: fc.nat(RESOURCES.length * KEYS.length) }) },
    { weight: 1, arbitrary: fc.record({ kind: fc.constant("removeResource" as const), resource: target }) },
    { weight: 2, arbitrary: fc.record({ kind: fc.constant("output" as const), name: fc.constantFrom("url", "db_password"), value }) },
    { weight: 1, arbitrary: fc.record({ kind: fc.constant("removeOutput" as const), name: fc.constantFrom("url", "db_password") }) },
    { weight: 1, arbitrary: fc.record({ kind: fc.constant("private" as const), target, value: fc.constantFrom("cDE=", "cDI=") }) },
    { weight: 1, arbitrary: fc.record({ kind: fc.constant("taint" as const), target }) },
  );

export const tfState = (): fc.Arbitrary<TfState> =>
  fc.tuple(fc.uniqueArray(fc.nat(RESOURCES.length - 1), { maxLength: 4 }), fc.array(fc.nat(KEYS.length - 1), { minLength: 4, maxLength: 4 }), fc.boolean()).map(([which, styles, withOutput]) => {
    const s = TfState.small("3f0e8b7c-1111-4222-8333-444455556666", []);
    which.forEach((w, i) => addResource(s, w, styles[i]));
    if (withOutput) s.setOutput("url", "http://a");
    return s;
  });

export function applyTfEdits(base: TfState, edits: readonly TfEdit[], serials: number): TfState {
  const s = base.clone();
  for (const e of edits) applyTfEdit(s, e);
  for (let i = 0; i < serials; i++) s.applied();
  return s;
}

export const tfTriple = (): fc.Arbitrary<TfTriple> =>
  fc
    .record({
      base: tfState(),
      shared: fc.array(tfEdit(), { maxLength: 2 }),
      oursEdits: fc.array(tfEdit(), { maxLength: 4 }),
      theirsEdits: fc.array(tfEdit(), { maxLength: 4 }),
      oursSerials: fc.integer({ min: 1, max: 3 }),
      theirsSerials: fc.integer({ min: 1, max: 3 }),
    })
    .map(({ base, shared, oursEdits, theirsEdits, oursSerials, theirsSerials }) => ({
      base,
      ours: applyTfEdits(base, [...shared, ...oursEdits], oursSerials),
      theirs: applyTfEdits(base, [...shared, ...theirsEdits], theirsSerials),
      oursEdits: [...shared, ...oursEdits],
      theirsEdits: [...shared, ...theirsEdits],
    }));
