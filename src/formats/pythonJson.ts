// Python's json.dumps, byte for byte: ensure_ascii escaping (lowercase \uXXXX), and the
// default separators ", " and ": " that NixOps' embedded JSON strings use.

import { Embedded, JsonNumber, type JsonValue } from "../core/values";

const SHORT: Record<number, string> = { 8: "\\b", 9: "\\t", 10: "\\n", 12: "\\f", 13: "\\r", 34: '\\"', 92: "\\\\" };

/** A JSON string literal as Python writes it with ensure_ascii=True. */
export function pythonString(s: string): string {
  let out = '"';
  let plainStart = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0x20 && c < 0x7f && c !== 34 && c !== 92) continue;
    out += s.slice(plainStart, i);
    out += SHORT[c] ?? "\\u" + c.toString(16).padStart(4, "0");
    plainStart = i + 1;
  }
  return out + s.slice(plainStart) + '"';
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
