// The quick way to the same value parseJson builds: V8's native JSON.parse checks the syntax,
// then one walk turns its result into the exact model (Maps in text order, numbers with their
// own text). Whatever JSON.parse would silently change comes back null, and the careful
// parser in parseJson.ts does the work: duplicate keys (JSON.parse keeps the last), keys that
// look like array indexes (JS objects move those to the front), nesting deeper than the limit,
// and any syntax error (so that the careful parser can name its line and column).

import { JsonNumber, type JsonObject, type JsonValue } from "../core/values";

/** Keys a JS object orders numerically, before all others: canonical integers below 2^32 - 1. */
function isIndexLike(key: string): boolean {
  const c = key.charCodeAt(0);
  if (c < 48 || c > 57) return false;
  return /^(?:0|[1-9][0-9]{0,9})$/.test(key) && Number(key) < 4294967295;
}

/** A string or a number token; strings are matched only to be skipped. */
const TOKEN = /"[^"\\]*(?:\\.[^"\\]*)*"|(-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?)/g;

class Walk {
  strings = 0;
  private numberScan = 0;

  constructor(
    private readonly text: string,
    private readonly maxDepth: number,
  ) {}

  /** The next number token's text, in document order (the walk visits values in that order). */
  private nextNumber(): string | null {
    TOKEN.lastIndex = this.numberScan;
    for (;;) {
      const m = TOKEN.exec(this.text);
      if (m === null) return null;
      if (m[1] !== undefined) {
        this.numberScan = TOKEN.lastIndex;
        return m[1];
      }
    }
  }

  /** The model value, or undefined when the native result cannot be trusted to match. */
  value(v: unknown, depth: number): JsonValue | undefined {
    switch (typeof v) {
      case "string":
        this.strings++;
        return v;
      case "number": {
        const text = this.nextNumber();
        return text === null ? undefined : new JsonNumber(text);
      }
      case "boolean":
        return v;
      default:
        break;
    }
    if (v === null) return null;
    if (depth >= this.maxDepth) return undefined;
    if (Array.isArray(v)) {
      const out: JsonValue[] = new Array(v.length);
      for (let i = 0; i < v.length; i++) {
        const x = this.value(v[i], depth + 1);
        if (x === undefined) return undefined;
        out[i] = x;
      }
      return out;
    }
    const obj = v as Record<string, unknown>;
    const out: JsonObject = new Map();
    for (const key in obj) {
      if (isIndexLike(key)) return undefined;
      this.strings++;
      const x = this.value(obj[key], depth + 1);
      if (x === undefined) return undefined;
      out.set(key, x);
    }
    return out;
  }
}

/** How many string tokens (keys and values) the text holds: unescaped quotes, halved. */
function stringTokens(text: string): number {
  let quotes = 0;
  for (let q = text.indexOf('"'); q !== -1; q = text.indexOf('"', q + 1)) {
    let backslashes = 0;
    while (text.charCodeAt(q - 1 - backslashes) === 92) backslashes++;
    if (backslashes % 2 === 0) quotes++;
  }
  return quotes / 2;
}

/**
 * The value parseJson would return for `text`, or undefined when the careful parser must
 * decide (invalid JSON, duplicate keys, index-like keys, more than `maxDepth` nested levels).
 */
export function fastParseJson(text: string, maxDepth: number): JsonValue | undefined {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return undefined;
  }
  const walk = new Walk(text, maxDepth);
  const value = walk.value(raw, 0);
  // A key written twice leaves a string token in the text that JSON.parse dropped.
  if (value === undefined || stringTokens(text) !== walk.strings) return undefined;
  return value;
}
