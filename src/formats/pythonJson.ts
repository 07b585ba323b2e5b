// Python's json.dumps, byte for byte: ensure_ascii escaping (lowercase \uXXXX), and the
// default separators ", " and ": " that NixOps' embedded JSON strings use.

import { Embedded, JsonNumber, type JsonValue } from "../core/values";

const SHORT: Record<number, string> = { 8: "\\b", 9: "\\t", 10: "\\n", 12: "\\f", 13: "\\r", 34: '\\"', 92: "\\\\" };
/** Every UTF-16 unit Python escapes: all but printable ASCII, and `"` and `\`. */
const NEEDS_ESCAPE = /[^ !#-\[\]-~]/g;
const escapeUnit = (unit: string): string => {
  const c = unit.charCodeAt(0);
  return SHORT[c] ?? "\\u" + c.toString(16).padStart(4, "0");
};

/**
 * A JSON string literal as Python writes it with ensure_ascii=True. The scan is a regular
 * expression, not a loop over characters: V8 runs it as native code even in a driver run too
 * short for its JIT, and state values are long (private keys, embedded JSON).
 */
export function pythonString(s: string): string {
  return '"' + s.replace(NEEDS_ESCAPE, escapeUnit) + '"';
}

/** json.dumps(value) with Python's defaults (used for re-encoding merged embedded JSON). */
export function pythonDumps(value: JsonValue): string {
  if (typeof value === "string") return pythonString(value);
  if (value === null) return "null";
  if (value === true) return "true";
  if (value === false) return "false";
  if (value instanceof JsonNumber) return value.text;
  if (value instanceof Embedded) return pythonString(value.text);
  if (Array.isArray(value)) return "[" + value.map(pythonDumps).join(", ") + "]";
  const parts: string[] = [];
  for (const [k, v] of value) parts.push(pythonString(k) + ": " + pythonDumps(v));
  return "{" + parts.join(", ") + "}";
}
