// The value model shared by every stage. Objects are Maps (so "__proto__" is a plain key and
// key order is kept), numbers keep the text they were written with (never rounded through a
// float), and a NixOps string that holds JSON is decoded once into an Embedded value.

export class JsonNumber {
  constructor(readonly text: string) {}
}

/** A string attribute whose text is JSON (NixOps' `keys`, `ec2.tags`, ...): compared by value. */
export class Embedded {
  constructor(
    readonly text: string,
    readonly value: JsonValue,
  ) {}
}

export type JsonObject = Map<string, JsonValue>;
export type JsonValue = string | JsonNumber | boolean | null | JsonValue[] | JsonObject | Embedded;

/** A key or value that is not there (deleted, never added, or no base at all). */
export const ABSENT: unique symbol = Symbol("absent");
export type Absent = typeof ABSENT;
export type Slot = JsonValue | Absent;

export type Path = readonly string[];

export function isObject(v: unknown): v is JsonObject {
  return v instanceof Map;
}

/** The value at a key, or ABSENT; not `get(key) ?? ABSENT`, which would turn a null into ABSENT. */
export function slotOf(m: ReadonlyMap<string, JsonValue>, key: string): Slot {
  return m.has(key) ? (m.get(key) as JsonValue) : ABSENT;
}

/**
 * Value equality: objects ignore key order, numbers compare by their text, embedded JSON
 * compares by its decoded value (so a re-ordered `keys` blob is equal), and an embedded
 * value against a plain string compares by text.
 */
export function valuesEqual(a: Slot, b: Slot): boolean {
  if (a === b) return true;
  if (a === ABSENT || b === ABSENT || a === null || b === null) return false;
  if (a instanceof Embedded) {
    if (b instanceof Embedded) return valuesEqual(a.value, b.value);
    return typeof b === "string" && a.text === b;
  }
  if (b instanceof Embedded) return typeof a === "string" && b.text === a;
  if (typeof a !== "object" || typeof b !== "object") return false;
  if (a instanceof JsonNumber) return b instanceof JsonNumber && a.text === b.text;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!valuesEqual(a[i], b[i])) return false;
    return true;
  }
  if (a instanceof Map) {
    if (!(b instanceof Map) || a.size !== b.size) return false;
    for (const [k, v] of a) {
      if (!b.has(k) || !valuesEqual(v, b.get(k) as JsonValue)) return false;
    }
    return true;
  }
  return false;
}

export function describeKind(v: Slot): string {
  if (v === ABSENT) return "absent";
  if (v === null) return "null";
  if (v instanceof Map) return "object";
  if (Array.isArray(v)) return "array";
  if (v instanceof JsonNumber) return "number";
  if (v instanceof Embedded) return "string";
  return typeof v;
}
