// Arrays of records keyed by an identity field (a tenant list by "id"): elements are matched
// by that field, never by position, and each is merged like an object entry. Pure.
//
// - Order: ours' elements in ours' order; an element new from theirs goes right after the
//   element it follows in theirs.
// - Added on both sides with different content: a conflict at the element (not merged
//   field by field: two tenants created under one id are two different tenants).
// - An element without the field (or with one that is not a string or number) makes the
//   whole array one value again, with a warning.
// - A composite identity (several fields, like Terraform's module, mode, type and name) is
//   the tuple of their values; there an absent field is part of the identity (a resource of
//   the root module has no "module"), but a present one must still be a string or number.
// - The same identity twice inside one side is a conflict at the whole array, with a
//   warning naming it: which copy is "the" tenant is for a person to say.

import { ABSENT, Embedded, JsonNumber, isObject, valuesEqual, type Absent, type JsonValue, type Path, type Slot } from "./values";
import { containsHunk, type ConflictKind, type Merged, type MergeWarning } from "./merged";
import type { KeyFields } from "./policy";

/** What the keyed merge needs from the engine: recursion, conflicts, warnings. */
export interface KeyedArrayContext {
  mergeElement(base: Slot, ours: Slot, theirs: Slot, path: Path): Merged | Absent;
  conflict(kind: ConflictKind, path: Path, base: Slot, ours: Slot, theirs: Slot): Merged | Absent;
  warn(warning: MergeWarning): void;
}

/**
 * The path segment that names an element by its identity: `[id="acme"]`, `[id=42]`, and for
 * several fields `[mode,type,name="managed","aws_instance","web"]` (an absent field as null).
 */
export function elementSegment(field: KeyFields, identity: string): string {
  return `[${typeof field === "string" ? field : field.join(",")}=${identity}]`;
}

/** An array element's path segment: its identity where the array is keyed (`field`) and it has one, else its index. */
export function elementPathSegment(field: KeyFields | null, element: JsonValue, index: number): string {
  const identity = field === null ? null : identityOf(element, field);
  return field === null || identity === null ? String(index) : elementSegment(field, identity);
}

/**
 * The field and identity an element segment names (`[id="acme"]`: id, "acme"; several fields
 * for a composite identity), or null for a plain key.
 */
export function parseElementSegment(segment: string): { field: KeyFields; identity: string; name: string } | null {
  const m = /^\[([^=\]]+)=(.*)\]$/s.exec(segment);
  if (!m) return null;
  const identity = m[2];
  const field: KeyFields = m[1].includes(",") ? m[1].split(",") : m[1];
  let name = identity;
  // One field's value: a JSON string is named by its text. Several fields' values joined by
  // commas (a Terraform resource in a module: "module.a",...) are named as they are.
  if (typeof field === "string" && identity.startsWith('"')) {
    try {
      name = JSON.parse(identity) as string;
    } catch {
      return null;
    }
    // The string "1" and the number 1 are two identities: a string that would read as another
    // identity (a number, true, or a string in quotes) keeps its quotes where people read it.
    if (readsAsJson(name)) name = identity;
  }
  return { field, identity, name };
}

/** Does this text read as JSON (a number, true, false, null, or a string in quotes)? */
function readsAsJson(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

/** A field's value as identity text (strings JSON-quoted, numbers as written), or null. */
function fieldText(v: JsonValue | undefined): string | null {
  if (typeof v === "string") return JSON.stringify(v);
  if (v instanceof Embedded) return JSON.stringify(v.text);
  if (v instanceof JsonNumber) return v.text;
  return null;
}

/**
 * One step into a value, as paths name it: into embedded JSON, to a keyed-array element by its
 * segment (`[id="globex"]`), an object's key, or a plain array's position; ABSENT when nothing is there.
 */
export function childAt(node: Slot, key: string): Slot {
  if (node instanceof Embedded) node = node.value;
  const element = Array.isArray(node) ? parseElementSegment(key) : null;
  if (element) return (node as JsonValue[]).find((e) => identityOf(e, element.field) === element.identity) ?? ABSENT;
  if (isObject(node)) return node.has(key) ? (node.get(key) as JsonValue) : ABSENT;
  if (Array.isArray(node) && /^(0|[1-9][0-9]*)$/.test(key) && Number(key) < node.length) return node[Number(key)];
  return ABSENT;
}

/** The identity of an element as text, or null when it has none (see the rules above). */
export function identityOf(element: JsonValue, field: KeyFields): string | null {
  if (!isObject(element)) return null;
  if (typeof field === "string") return fieldText(element.get(field));
  const parts: string[] = [];
  for (const f of field) {
    if (!element.has(f)) {
      parts.push("null");
      continue;
    }
    const text = fieldText(element.get(f));
    if (text === null) return null;
    parts.push(text);
  }
  return parts.join(",");
}

function fieldNames(field: KeyFields): string {
  return typeof field === "string" ? `"${field}"` : field.map((f) => `"${f}"`).join(", ");
}

type Indexed =
  | { kind: "ok"; order: string[]; byId: Map<string, JsonValue> }
  | { kind: "missing"; position: number }
  | { kind: "duplicate"; identity: string };

function indexElements(elements: readonly JsonValue[], field: KeyFields): Indexed {
  const byId = new Map<string, JsonValue>();
  const order: string[] = [];
  for (let i = 0; i < elements.length; i++) {
    const id = identityOf(elements[i], field);
    if (id === null) return { kind: "missing", position: i + 1 };
    if (byId.has(id)) return { kind: "duplicate", identity: id };
    byId.set(id, elements[i]);
    order.push(id);
  }
  return { kind: "ok", order, byId };
}

/** Merges two arrays both sides changed; `base` is anything (not an array: no elements). */
export function mergeKeyedArray(
  field: KeyFields,
  base: Slot,
  ours: JsonValue[],
  theirs: JsonValue[],
  path: Path,
  context: KeyedArrayContext,
): Merged | Absent {
  const sides = { base: Array.isArray(base) ? base : [], ours, theirs };
  const indexed: Array<Indexed & { kind: "ok" }> = [];
  for (const name of ["base", "ours", "theirs"] as const) {
    const idx = indexElements(sides[name], field);
    if (idx.kind === "missing") {
      context.warn({ path, message: `element ${idx.position} of ${name} has no string or number ${fieldNames(field)}; the array is merged as one value` });
      return context.conflict(base === ABSENT ? "add/add" : "modify/modify", path, base, ours, theirs);
    }
    if (idx.kind === "duplicate") {
      context.warn({ path, message: `${name} has two elements with ${fieldNames(field)} ${idx.identity}; the array is one conflict, fix the duplicate by hand` });
      return context.conflict("duplicate", path, base, ours, theirs);
    }
    indexed.push(idx);
  }
  const [b, o, t] = indexed;

  const out: Merged[] = [];
  for (const id of keyedOrder(o.order, t.order)) {
    const [be, oe, te]: Slot[] = [b.byId.get(id) ?? ABSENT, o.byId.get(id) ?? ABSENT, t.byId.get(id) ?? ABSENT];
    const elementPath = [...path, elementSegment(field, id)];
    const addedTwice = be === ABSENT && oe !== ABSENT && te !== ABSENT && !valuesEqual(oe, te);
    const m = addedTwice ? context.conflict("add/add", elementPath, be, oe, te) : context.mergeElement(be, oe, te, elementPath);
    if (m !== ABSENT) out.push(m);
  }
  // Ours' own array when nothing changed it, so the layout can keep ours' text.
  return !containsHunk(out) && valuesEqual(out as JsonValue[], ours) ? ours : out;
}

/** Ours' identities in ours' order, each new one from theirs after the one it follows there. */
export function keyedOrder(ours: readonly string[], theirs: readonly string[]): string[] {
  const inOurs = new Set(ours);
  const after = new Map<string | null, string[]>();
  let anchor: string | null = null;
  for (const id of theirs) {
    if (inOurs.has(id)) {
      anchor = id;
      continue;
    }
    const list = after.get(anchor);
    if (list) list.push(id);
    else after.set(anchor, [id]);
  }
  const order = [...(after.get(null) ?? [])];
  for (const id of ours) order.push(id, ...(after.get(id) ?? []));
  return order;
}
