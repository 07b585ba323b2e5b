// A NixOps resource record that is byte-identical in base, ours and theirs needs no parse: the
// merge takes it unchanged (the same object on all three sides compares equal at once), and
// the writer copies its text. `LazyRecord` is such a record: a real Map to every reader, whose
// attributes are parsed only if something looks inside (a whole-deployment conflict, a report).

import type { JsonObject, JsonValue } from "../core/values";
import { parseJson } from "./parseJson";
import type { Span } from "./renderDocument";

export class LazyRecord extends Map<string, JsonValue> {
  private loaded = false;
  private changed = false;

  /**
   * `parts`, one after the other, are the record as NixOps writes it at resource depth, already
   * checked to be exactly what the writer would print for it (see `scanCanonicalRecord`): one
   * span of an input, or theirs' record with some of ours' attribute values spliced in
   * (fastTheirsChange.ts); `count` is its number of attributes (undefined: counted by parsing,
   * if anyone asks). SharedEntry (sharedEntries.ts) is the one kind whose bytes are not
   * checked: all three inputs hold them, and they are kept as they are.
   */
  constructor(
    readonly parts: readonly Span[],
    private readonly count: number | undefined,
    private readonly decode: (record: JsonObject) => void,
  ) {
    super();
  }

  /** True while the record still holds what its text says (nothing was set or deleted). */
  get pristine(): boolean {
    return !this.changed;
  }

  /** Its bytes to write as they are: while nothing was set or deleted in it. */
  verbatimParts(): readonly Span[] | undefined {
    return this.pristine ? this.parts : undefined;
  }

  /** The record's text, as written. */
  get text(): string {
    let text = "";
    for (const p of this.parts) text += p.source.toString("latin1", p.start, p.end);
    return text;
  }

  /** Parses the text into the Map, once; what any look inside the record runs first. */
  protected load(): void {
    if (this.loaded) return;
    this.loaded = true;
    const record = parseJson(this.text).value as JsonObject;
    this.decode(record);
    for (const [k, v] of record) super.set(k, v);
  }

  override get size(): number {
    if (!this.loaded && this.count !== undefined) return this.count;
    this.load();
    return super.size;
  }
  override get(key: string): JsonValue | undefined {
    this.load();
    return super.get(key);
  }
  override has(key: string): boolean {
    this.load();
    return super.has(key);
  }
  override set(key: string, value: JsonValue): this {
    this.load();
    this.changed = true;
    return super.set(key, value);
  }
  override delete(key: string): boolean {
    this.load();
    this.changed = true;
    return super.delete(key);
  }
  override clear(): void {
    this.load();
    this.changed = true;
    super.clear();
  }
  override forEach(fn: (value: JsonValue, key: string, map: Map<string, JsonValue>) => void, thisArg?: unknown): void {
    this.load();
    super.forEach(fn, thisArg);
  }
  override keys(): MapIterator<string> {
    this.load();
    return super.keys();
  }
  override values(): MapIterator<JsonValue> {
    this.load();
    return super.values();
  }
  override entries(): MapIterator<[string, JsonValue]> {
    this.load();
    return super.entries();
  }
  override [Symbol.iterator](): MapIterator<[string, JsonValue]> {
    return this.entries();
  }
}

// A string as Python's json.dumps(ensure_ascii=True) writes it: printable ASCII except `"` and
// `\`, the short escapes, and \u with lowercase hex only where no short form or plain
// character would do. Unrolled (plain run, then escape and plain run, repeated): linear time.
const PLAIN = "[ !#-\\[\\]-~]";
const ESCAPE = '(?:\\\\["\\\\bfnrt]|\\\\u(?:000[0-7bef]|001[0-9a-f]|007f|00[89a-f][0-9a-f]|0[1-9a-f][0-9a-f]{2}|[1-9a-f][0-9a-f]{3}))';
const PY_STRING = `${PLAIN}*(?:${ESCAPE}${PLAIN}*)*`;
const lineRegExps = new Map<string, RegExp>();

/** One attribute line at resource depth: 8 spaces, "key": "value", then the separator or not. */
function attributeLine(separator: string): RegExp {
  let re = lineRegExps.get(separator);
  if (!re) {
    re = new RegExp(`        "${PLAIN}*": "${PY_STRING}"(?:${separator})?\\n`, "y");
    lineRegExps.set(separator, re);
  }
  return re;
}

/**
 * For the record text starting at s[start] ("{" then a newline): where it ends and how many
 * attributes it has, if it is exactly what the NixOps writer prints at resource depth with
 * this separator (string values, keys in order, Python's escapes); null otherwise.
 */
export function scanCanonicalRecord(s: string, start: number, separator: string): { end: number; size: number } | null {
  const line = attributeLine(separator);
  let p = start + 2; // after "{\n"
  let previousStart = -1;
  let previousEnd = -1;
  let size = 0;
  for (;;) {
    line.lastIndex = p;
    if (!line.test(s)) return null;
    // The key: plain characters from the quote after the indent to the next quote.
    const keyStart = p + 9;
    const keyEnd = s.indexOf('"', keyStart);
    if (previousStart >= 0 && compareText(s, previousStart, previousEnd, keyStart, keyEnd) >= 0) return null;
    previousStart = keyStart;
    previousEnd = keyEnd;
    size++;
    p = line.lastIndex;
    if (s.charCodeAt(p - 2) === 34) break; // `"` then the newline: the last attribute
  }
  // The last attribute is followed by the record's closing line.
  return s.startsWith("      }", p) ? { end: p + 7, size } : null;
}

/** The number of attributes of `text` when it is, whole, one record as the writer prints it; else null. */
export function canonicalRecordSize(text: string, separator: string): number | null {
  const scanned = text.length > 2 ? scanCanonicalRecord(text, 0, separator) : null;
  return scanned !== null && scanned.end === text.length ? scanned.size : null;
}

/** s[a0, a1) against s[b0, b1) as JS compares strings (UTF-16 code units): <0, 0 or >0. */
function compareText(s: string, a0: number, a1: number, b0: number, b1: number): number {
  const n = Math.min(a1 - a0, b1 - b0);
  for (let i = 0; i < n; i++) {
    const d = s.charCodeAt(a0 + i) - s.charCodeAt(b0 + i);
    if (d !== 0) return d;
  }
  return a1 - a0 - (b1 - b0);
}

/**
 * Is `text` exactly what the writer prints, knowing that `canonical` (another side's version of
 * the same record, already checked) is? A line `canonical` holds at the same place is the
 * writer's; any other must be an attribute line for the same key, ending as that one does
 * (the separator, or none for the last). A deploy rewrites a few values of a record, so a few
 * lines are scanned instead of all of it; with attributes added or removed, all of it is.
 */
export function canonicalBeside(text: string, canonical: string, separator: string): boolean {
  const lines = text.split("\n");
  const known = canonical.split("\n");
  if (lines.length !== known.length) return canonicalRecordSize(text, separator) !== null;
  const line = attributeLine(separator);
  for (let i = 0; i < lines.length; i++) {
    const [l, k] = [lines[i], known[i]];
    if (l === k) continue;
    // The first ("{") and last ("      }") lines are the same in every record the writer prints.
    if (i === 0 || i === lines.length - 1 || !sameKeyLine(l, k, separator)) return false;
    line.lastIndex = 0;
    if (!line.test(l + "\n") || line.lastIndex !== l.length + 1) return false;
  }
  return true;
}

/** Two attribute lines with the same key, each ending with the separator or neither. */
function sameKeyLine(a: string, b: string, separator: string): boolean {
  const key = (l: string) => l.slice(9, l.indexOf('"', 9));
  return key(a) === key(b) && a.endsWith(`"${separator}`) === b.endsWith(`"${separator}`);
}
