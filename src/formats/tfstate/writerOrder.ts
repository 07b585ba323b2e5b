// The order in which Terraform and OpenTofu write a state (internal/states/statefile/version4.go):
// struct fields in declaration order; `outputs` (a Go map) by name; `resources` by module, mode,
// type, name; instances by index key (none, then numbers, then strings), then deposed key; and
// inside attribute values (cty JSON) every object by key, except cty's {"value", "type"}
// wrapper for dynamic values. Applied to a merged value (hunks included) before it is written.

import { ABSENT, JsonNumber, isObject, type JsonValue, type Slot } from "../../core/values";
import { Hunk, Occurrences, WithCopies, sideValue, type HunkSide, type Merged } from "../../core/merged";
import { compareGoStrings } from "./goJson";

const TOP = ["version", "terraform_version", "serial", "lineage", "outputs", "resources", "check_results"];
const OUTPUT = ["value", "type", "sensitive", "deprecated"];
const RESOURCE = ["module", "mode", "type", "name", "each", "provider", "instances"];
const INSTANCE_HEAD = ["index_key", "status", "deposed", "provider", "schema_version", "attributes", "attributes_flat", "sensitive_attributes"];
const INSTANCE_TAIL = ["private", "dependencies", "depends_on", "create_before_destroy", "skip_destroy"];
const IDENTITY = ["identity_schema_version", "identity"];
/** Terraform writes the identity fields before `private`; OpenTofu after everything else, identity first. */
const INSTANCE_TERRAFORM = [...INSTANCE_HEAD, ...IDENTITY, ...INSTANCE_TAIL];
const INSTANCE_OPENTOFU = [...INSTANCE_HEAD, ...INSTANCE_TAIL, "identity", "identity_schema_version"];
const CHECK = ["object_kind", "config_addr", "status", "objects"];
const CHECK_OBJECT = ["object_addr", "status", "failure_messages"];
const PATH_STEP = ["type", "value"];

export type WriterFlavour = "terraform" | "opentofu";

type Shape =
  | { fields: readonly string[]; children?: Readonly<Record<string, Shape>> }
  | { sortedMap: Shape }
  | { list: Shape; sortBy?: (element: JsonValue) => readonly SortKey[] }
  | "cty"
  | "asIs";

type SortKey = [number, string | number];

function shapes(flavour: WriterFlavour): Shape {
  const cty: Shape = "cty";
  const instance: Shape = {
    fields: flavour === "opentofu" ? INSTANCE_OPENTOFU : INSTANCE_TERRAFORM,
    children: {
      attributes: cty,
      attributes_flat: cty,
      identity: cty,
      sensitive_attributes: { list: { list: { fields: PATH_STEP } } },
    },
  };
  const resource: Shape = { fields: RESOURCE, children: { instances: { list: instance, sortBy: instanceKey } } };
  const check: Shape = { fields: CHECK, children: { objects: { list: { fields: CHECK_OBJECT } } } };
  return {
    fields: TOP,
    children: {
      outputs: { sortedMap: { fields: OUTPUT, children: { value: cty, type: cty } } },
      resources: { list: resource, sortBy: resourceKey },
      check_results: { list: check },
    },
  };
}

function text(v: JsonValue | undefined): string {
  return typeof v === "string" ? v : "";
}

function resourceKey(r: JsonValue): SortKey[] {
  if (!isObject(r)) return [];
  return ["module", "mode", "type", "name"].map((f): SortKey => [0, text(r.get(f))]);
}

/** None first, then numbers (by value), then strings; then the deposed key ("" for current). */
function instanceKey(i: JsonValue): SortKey[] {
  if (!isObject(i)) return [];
  const key = i.get("index_key");
  const index: SortKey = key instanceof JsonNumber ? [1, Number(key.text)] : typeof key === "string" ? [2, key] : [0, 0];
  return [index, [0, text(i.get("deposed"))]];
}

function compareKeys(a: readonly SortKey[], b: readonly SortKey[]): number {
  for (let i = 0; i < Math.min(a.length, b.length); i++) {
    const [ra, va] = a[i];
    const [rb, vb] = b[i];
    if (ra !== rb) return ra - rb;
    const c = typeof va === "number" && typeof vb === "number" ? va - vb : compareGoStrings(String(va), String(vb));
    if (c !== 0) return c;
  }
  return a.length - b.length;
}

/** The value a hunk stands for when sorting it among its neighbours (its identity is on every side). */
function representative(m: Merged): JsonValue | null {
  if (!(m instanceof Hunk)) return m as JsonValue;
  const sides: HunkSide[] = [m.ours, m.theirs, m.base];
  for (const s of sides) {
    const v: Slot = sideValue(s);
    if (v !== ABSENT) return v;
  }
  return null;
}

/** Does ours' (or any input's) instance layout show which program wrote the file? */
export function detectFlavour(documents: readonly Slot[]): WriterFlavour {
  const identityKeys = new Set(IDENTITY);
  const tailKeys = new Set(INSTANCE_TAIL);
  for (const doc of documents) {
    const resources = isObject(doc) ? doc.get("resources") : undefined;
    if (!Array.isArray(resources)) continue;
    for (const r of resources) {
      const instances = isObject(r) ? r.get("instances") : undefined;
      if (!Array.isArray(instances)) continue;
      for (const inst of instances) {
        if (!isObject(inst)) continue;
        const keys = [...inst.keys()];
        const identityAt = keys.findIndex((k) => identityKeys.has(k));
        const tailAt = keys.findIndex((k) => tailKeys.has(k));
        if (identityAt !== -1 && tailAt !== -1) return identityAt < tailAt ? "terraform" : "opentofu";
      }
    }
  }
  return "terraform";
}

/** The merged state in writer order (hunks keep their place in that order, their sides ordered too). */
export function inWriterOrder(m: Merged, flavour: WriterFlavour): Merged {
  return order(m, shapes(flavour));
}

function order(m: Merged, shape: Shape): Merged {
  if (m instanceof Hunk) return new Hunk(m.path, orderSide(m.ours, shape), orderSide(m.base, shape), orderSide(m.theirs, shape));
  if (shape === "asIs") return m;
  if (shape === "cty") return orderCty(m);
  if (m instanceof Map) {
    if ("sortedMap" in shape) {
      const keys = [...m.keys()].sort(compareGoStrings);
      return new Map(keys.map((k) => [k, order(m.get(k) as Merged, shape.sortedMap)]));
    }
    if ("fields" in shape) {
      const known = shape.fields.filter((f) => m.has(f));
      const unknown = [...m.keys()].filter((k) => !shape.fields.includes(k));
      return new Map([...known, ...unknown].map((k) => [k, order(m.get(k) as Merged, shape.children?.[k] ?? "asIs")]));
    }
    return m;
  }
  if (Array.isArray(m) && "list" in shape) {
    const items = m.map((el) => order(el, shape.list));
    const sortBy = shape.sortBy;
    if (!sortBy) return items;
    const keyed = items.map((el) => {
      const rep = representative(el);
      return { el, key: rep === null ? [] : sortBy(rep) };
    });
    // Array.prototype.sort is stable, as Go's sort.Stable is.
    keyed.sort((a, b) => compareKeys(a.key, b.key));
    return keyed.map((k) => k.el);
  }
  return m;
}

function orderSide(s: HunkSide, shape: Shape): HunkSide {
  if (s === ABSENT) return s;
  // A state with a key written twice is never merged (the tfstate merge refuses it): kept as written.
  if (s instanceof Occurrences || s instanceof WithCopies) return s;
  return order(s, shape) as JsonValue;
}

/** cty JSON: objects and maps by key; the {"value","type"} wrapper of a dynamic value as written. */
function orderCty(m: Merged): Merged {
  if (m instanceof Hunk) return order(m, "cty");
  if (Array.isArray(m)) return m.map(orderCty);
  if (!(m instanceof Map)) return m;
  const dynamicWrapper = m.size === 2 && m.has("value") && m.has("type");
  const keys = dynamicWrapper ? ["value", "type"] : [...m.keys()].sort(compareGoStrings);
  return new Map(keys.map((k) => [k, orderCty(m.get(k) as Merged)]));
}
