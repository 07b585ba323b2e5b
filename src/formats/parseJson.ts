// An exact JSON reader: numbers keep their text, duplicate keys are reported (JSON.parse keeps
// the last one silently), objects become Maps, and every error names a line and column.
// It refuses nesting deeper than MAX_DEPTH so that no input can overflow the stack.

import { JsonNumber, type JsonObject, type JsonValue } from "../core/values";
import { fastParseJson } from "./fastJson";

export const MAX_DEPTH = 2000;

export class JsonParseError extends Error {
  constructor(
    readonly reason: string,
    readonly line: number,
    readonly column: number,
  ) {
    super(`line ${line}, column ${column}: ${reason}`);
  }
}

export interface DuplicateKey {
  path: string[];
  /** Every value the key was given, in the order written. */
  values: JsonValue[];
}

export interface ParsedJson {
  value: JsonValue;
  duplicates: DuplicateKey[];
  /** Source offsets [start, end) of every object and array, when asked for. */
  spans?: WeakMap<object, [number, number]>;
}

export function parseJson(text: string, options: { spans?: boolean } = {}): ParsedJson {
  if (options.spans !== true) {
    // Most input is plain JSON: let V8's parser do the work (same value; see fastJson.ts).
    const value = fastParseJson(text, MAX_DEPTH);
    if (value !== undefined) return { value, duplicates: [], spans: undefined };
  }
  return parseCarefully(text, options);
}

/** The character-by-character reader: duplicates, spans, and errors with line and column. */
export function parseCarefully(text: string, options: { spans?: boolean } = {}): ParsedJson {
  return new Parser(text, options.spans === true).parseDocument();
}

/** Line and column (1-based) of an offset, for error messages. */
export function lineAndColumn(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < offset && i < text.length; i++) {
    if (text.charCodeAt(i) === 10) {
      line++;
      lineStart = i + 1;
    }
  }
  return { line, column: offset - lineStart + 1 };
}

const ESCAPES: Record<string, string> = { '"': '"', "\\": "\\", "/": "/", b: "\b", f: "\f", n: "\n", r: "\r", t: "\t" };
const NUMBER = /-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?/y;

class Parser {
  private pos = 0;
  private depth = 0;
  private readonly path: string[] = [];
  private readonly duplicates: DuplicateKey[] = [];
  /** The same, by JSON.stringify(path): many repeated keys must not cost a scan each. */
  private readonly duplicateByPath = new Map<string, DuplicateKey>();
  private readonly spans?: WeakMap<object, [number, number]>;

  constructor(
    private readonly text: string,
    withSpans: boolean,
  ) {
    if (withSpans) this.spans = new WeakMap();
  }

  parseDocument(): ParsedJson {
    this.skipWhitespace();
    const value = this.parseValue();
    this.skipWhitespace();
    if (this.pos < this.text.length) this.fail("unexpected text after the JSON value");
    return { value, duplicates: this.duplicates, spans: this.spans };
  }

  private fail(reason: string, at = this.pos): never {
    const { line, column } = lineAndColumn(this.text, at);
    throw new JsonParseError(reason, line, column);
  }

  private skipWhitespace(): void {
    const t = this.text;
    let p = this.pos;
    for (;;) {
      const c = t.charCodeAt(p);
      if (c === 32 || c === 10 || c === 13 || c === 9) p++;
      else break;
    }
    this.pos = p;
  }

  private parseValue(): JsonValue {
    const c = this.text[this.pos];
    switch (c) {
      case "{":
        return this.parseObject();
      case "[":
        return this.parseArray();
      case '"':
        return this.parseString();
      case "t":
        return this.parseLiteral("true", true);
      case "f":
        return this.parseLiteral("false", false);
      case "n":
        return this.parseLiteral("null", null);
      case undefined:
        return this.fail("unexpected end of input");
      default:
        if (c === "-" || (c >= "0" && c <= "9")) return this.parseNumber();
        return this.fail(`unexpected character ${JSON.stringify(c)}`);
    }
  }

  private parseLiteral<T extends JsonValue>(word: string, value: T): T {
    if (!this.text.startsWith(word, this.pos)) this.fail(`unexpected text, expected ${word}`);
    this.pos += word.length;
    return value;
  }

  private parseNumber(): JsonNumber {
    NUMBER.lastIndex = this.pos;
    const m = NUMBER.exec(this.text);
    if (!m || m[0].length === 0 || m[0] === "-") this.fail("invalid number");
    this.pos += m[0].length;
    return new JsonNumber(m[0]);
  }

  private parseString(): string {
    const t = this.text;
    const start = ++this.pos;
    // Fast path: no escapes.
    let p = start;
    for (;;) {
      const c = t.charCodeAt(p);
      if (c === 34) {
        this.pos = p + 1;
        return t.slice(start, p);
      }
      if (c === 92) break;
      if (c < 32 || Number.isNaN(c)) {
        if (Number.isNaN(c)) this.fail("unterminated string", start - 1);
        this.fail("control character in a string", p);
      }
      p++;
    }
    let out = t.slice(start, p);
    for (;;) {
      const c = t.charCodeAt(p);
      if (Number.isNaN(c)) this.fail("unterminated string", start - 1);
      if (c === 34) {
        this.pos = p + 1;
        return out;
      }
      if (c < 32) this.fail("control character in a string", p);
      if (c === 92) {
        const e = t[p + 1];
        if (e === "u") {
          const hex = t.slice(p + 2, p + 6);
          if (!/^[0-9a-fA-F]{4}$/.test(hex)) this.fail("invalid \\u escape", p);
          out += String.fromCharCode(parseInt(hex, 16));
          p += 6;
        } else if (e !== undefined && e in ESCAPES) {
          out += ESCAPES[e];
          p += 2;
        } else {
          this.fail("invalid escape in a string", p);
        }
      } else {
        out += t[p];
        p++;
      }
    }
  }

  private enter(): void {
    if (++this.depth > MAX_DEPTH) this.fail(`nesting deeper than ${MAX_DEPTH} levels`);
  }

  private parseObject(): JsonObject {
    const start = this.pos;
    this.enter();
    this.pos++;
    const obj: JsonObject = new Map();
    this.skipWhitespace();
    if (this.text[this.pos] === "}") {
      this.pos++;
    } else {
      for (;;) {
        if (this.text[this.pos] !== '"') this.fail("expected a key in double quotes");
        const key = this.parseString();
        this.skipWhitespace();
        if (this.text[this.pos] !== ":") this.fail('expected ":" after a key');
        this.pos++;
        this.skipWhitespace();
        this.path.push(key);
        const value = this.parseValue();
        if (obj.has(key)) this.noteDuplicate(obj.get(key) as JsonValue, value);
        this.path.pop();
        obj.set(key, value);
        this.skipWhitespace();
        const c = this.text[this.pos];
        if (c === ",") {
          this.pos++;
          this.skipWhitespace();
        } else if (c === "}") {
          this.pos++;
          break;
        } else {
          this.fail(c === undefined ? "unexpected end of input in an object" : 'expected "," or "}"');
        }
      }
    }
    this.depth--;
    this.spans?.set(obj, [start, this.pos]);
    return obj;
  }

  private noteDuplicate(previous: JsonValue, value: JsonValue): void {
    const id = JSON.stringify(this.path);
    const known = this.duplicateByPath.get(id);
    if (known) {
      // The same path in another copy of a record written twice: that copy's first value too.
      if (!known.values.includes(previous)) known.values.push(previous);
      known.values.push(value);
      return;
    }
    const duplicate = { path: [...this.path], values: [previous, value] };
    this.duplicates.push(duplicate);
    this.duplicateByPath.set(id, duplicate);
  }

  private parseArray(): JsonValue[] {
    const start = this.pos;
    this.enter();
    this.pos++;
    const arr: JsonValue[] = [];
    this.skipWhitespace();
    if (this.text[this.pos] === "]") {
      this.pos++;
    } else {
      for (;;) {
        this.path.push(String(arr.length));
        arr.push(this.parseValue());
        this.path.pop();
        this.skipWhitespace();
        const c = this.text[this.pos];
        if (c === ",") {
          this.pos++;
          this.skipWhitespace();
        } else if (c === "]") {
          this.pos++;
          break;
        } else {
          this.fail(c === undefined ? "unexpected end of input in an array" : 'expected "," or "]"');
        }
      }
    }
    this.depth--;
    this.spans?.set(arr, [start, this.pos]);
    return arr;
  }
}
