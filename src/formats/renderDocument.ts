// The one renderer: writes a merged value as lines into a sink (a string, or UTF-8 byte chunks
// for the driver), with Git conflict markers around whole entries. Each hunk is rendered once
// per side with that side's own commas, so that taking ours (or theirs) in every hunk gives
// valid JSON. Layouts (NixOps, generic JSON) only say how to spell things; a value taken
// unchanged from ours can be written as ours' own bytes (a verbatim span, never re-encoded).

import { ABSENT, Embedded, JsonNumber, type JsonValue } from "../core/values";
import { Hunk, Occurrences, WithCopies, containsHunk, pickSide, type HunkSide, type Merged } from "../core/merged";

export interface Layout {
  indent: string;
  itemSeparator: string;
  keySeparator: string;
  newline: string;
  finalNewline: boolean;
  bom: boolean;
  sortKeys: boolean;
  /** Ours was written on one line: clean results stay on one line. */
  compact: boolean;
  scalar(value: string | JsonNumber | boolean | null | Embedded): string;
  /** An input's own text (or bytes, in one or more spans) for an object or array taken unchanged from it. */
  verbatim?(node: object): string | Span | readonly Span[] | undefined;
  /**
   * An object entry taken unchanged whose input holds its very line: the bytes from the line's
   * start (indentation, key, key separator) to the value's end, when they are what the writer
   * would write there for this key at this indentation (in characters).
   */
  verbatimEntry?(key: string, node: object, indent: number): Span | undefined;
}

/** Bytes of an input written as they are: `source[start, end)`, UTF-8. */
export interface Span {
  source: Buffer;
  start: number;
  end: number;
}

export type ConflictStyle = "merge" | "diff3" | "zdiff3";

/** Git's own defaults: 7-character markers, the sides named ours, base and theirs, no base section. */
export const DEFAULT_MARKERS: Readonly<Markers> = Object.freeze({ size: 7, ours: "ours", base: "base", theirs: "theirs", style: "merge" });

export interface Markers {
  size: number;
  ours: string;
  base: string;
  theirs: string;
  style: ConflictStyle;
}

interface HunkLines {
  ours: string[];
  base: string[];
  theirs: string[];
}
type Side = "ours" | "base" | "theirs";
const SIDES: Side[] = ["ours", "base", "theirs"];

/** The merged value's text. */
export function renderDocument(merged: Merged, layout: Layout, markers: Markers): string {
  const sink = new StringSink();
  render(merged, layout, markers, sink);
  return sink.done();
}

/** The merged value's text as UTF-8 byte chunks; verbatim spans are views of their source, never copied. */
export function renderChunks(merged: Merged, layout: Layout, markers: Markers): Buffer[] {
  const sink = new ChunkSink();
  render(merged, layout, markers, sink);
  return sink.done();
}

function render(merged: Merged, layout: Layout, markers: Markers, sink: Sink): void {
  const effective = layout.compact && containsHunk(merged) ? expanded(layout) : layout;
  if (layout.bom) sink.text("\ufeff");
  const writer = new Writer(effective, markers, sink);
  if (merged instanceof Hunk) writer.rootHunk(merged);
  else writer.value(merged, 0);
  if (layout.finalNewline) sink.text(effective.newline);
}

/** The layout used when a one-line document needs conflict markers (which need lines). */
function expanded(layout: Layout): Layout {
  return { ...layout, compact: false, indent: "  ", itemSeparator: ",", keySeparator: ": ", newline: layout.newline || "\n" };
}

interface Sink {
  text(s: string): void;
  span(s: Span): void;
}

class StringSink implements Sink {
  private readonly parts: string[] = [];
  text(s: string): void {
    this.parts.push(s);
  }
  span(s: Span): void {
    this.parts.push(s.source.toString("utf8", s.start, s.end));
  }
  done(): string {
    return this.parts.join("");
  }
}

/**
 * Byte chunks. Spans that follow each other in their source, and written text that is the very
 * next bytes of the last span's source (the comma and name line between two records taken from
 * ours), extend that span: an unchanged run of records becomes one chunk, not two per record.
 */
class ChunkSink implements Sink {
  private readonly chunks: Array<Buffer | Span> = [];
  private pending = "";
  private last: Span | null = null;
  text(s: string): void {
    if (this.pending === "" && this.last !== null && continuesIn(this.last, s)) {
      this.last.end += s.length;
      return;
    }
    this.pending += s;
    if (this.pending.length > 1 << 16) this.flush();
  }
  span(s: Span): void {
    const last = this.last;
    if (this.pending === "" && last !== null && last.source === s.source && last.end === s.start) {
      last.end = s.end;
      return;
    }
    this.flush();
    this.last = { source: s.source, start: s.start, end: s.end };
    this.chunks.push(this.last);
  }
  private flush(): void {
    if (this.pending === "") return;
    this.chunks.push(Buffer.from(this.pending, "utf8"));
    this.pending = "";
    this.last = null;
  }
  done(): Buffer[] {
    this.flush();
    return this.chunks.map((c) => (Buffer.isBuffer(c) ? c : c.source.subarray(c.start, c.end)));
  }
}

/** Whether `s` (ASCII only) is the bytes of the span's source right after the span. */
function continuesIn(span: Span, s: string): boolean {
  const from = span.end;
  if (from + s.length > span.source.length) return false;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c > 127 || span.source[from + i] !== c) return false;
  }
  return true;
}

/** An object entry, or an array element (no key): both are written by `body`. */
type Entry = [string | null, Merged | WithCopies];
type Item = { entry: Entry } | { lead: Array<[string | null, Merged]>; members: Entry[] };

const byKey = ([a]: Entry, [b]: Entry) => compareCodePoints(a as string, b as string);

/**
 * Python's `sort_keys` order: by code point. UTF-16, which `<` compares, differs only where a
 * character above U+FFFF (a surrogate pair) meets one in U+E000-U+FFFF: it sorts first there.
 */
function compareCodePoints(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x === y) continue;
    if (x >= 0xd800 && x < 0xe000 && y >= 0xe000) return 1;
    if (y >= 0xd800 && y < 0xe000 && x >= 0xe000) return -1;
    return x - y;
  }
  return a.length - b.length;
}

class Writer {
  /** Between lines: nothing for a one-line document. */
  private readonly nl: string;

  constructor(
    private readonly layout: Layout,
    private readonly markers: Markers,
    private readonly sink: Sink,
  ) {
    this.nl = layout.compact ? "" : layout.newline;
  }

  /** A value from where its key left off to its last character (no newline after it). */
  value(v: Merged | WithCopies, depth: number): void {
    if (v instanceof WithCopies) return this.withCopies(v, depth);
    if (v instanceof Map) {
      // Verbatim first: asking a record taken unchanged its size could parse it.
      if (this.verbatim(v)) return;
      if (v.size === 0) return this.sink.text("{}");
      const entries = [...v.entries()];
      if (this.layout.sortKeys) entries.sort(byKey);
      this.sink.text("{");
      this.body(entries, depth + 1);
      return this.sink.text(this.nl + this.pad(depth) + "}");
    }
    if (Array.isArray(v)) {
      if (v.length === 0) return this.sink.text("[]");
      if (this.verbatim(v)) return;
      // Elements of a keyed array may be hunks: written like object entries, without keys.
      this.sink.text("[");
      this.body(v.map((el): Entry => [null, el]), depth + 1);
      return this.sink.text(this.nl + this.pad(depth) + "]");
    }
    if (v instanceof Hunk) throw new Error("a conflict hunk can only stand for an object entry or an array element");
    this.sink.text(this.layout.scalar(v));
  }

  /** A conflict over the whole document: each side's document between the markers. */
  rootHunk(h: Hunk): void {
    const side = (s: HunkSide): string[] => {
      const v = s instanceof Occurrences ? s.last : s;
      return v === ABSENT ? [] : this.lines((w) => w.value(v, 0));
    };
    this.hunk({ ours: side(h.ours), base: side(h.base), theirs: side(h.theirs) }, true);
  }

  /** An input's object as it wrote it: a repeated key once per copy, in the order written. */
  private withCopies(v: WithCopies, depth: number): void {
    if (!(v.value instanceof Map) || v.value.size === 0) return this.value(v.value, depth);
    const entries: Entry[] = [];
    for (const [key, x] of v.value) {
      const e = v.entry(key, x);
      if (e instanceof Occurrences) for (const copy of e.values) entries.push([key, copy]);
      else entries.push([key, e]);
    }
    if (this.layout.sortKeys) entries.sort(byKey);
    this.sink.text("{");
    this.body(entries, depth + 1);
    this.sink.text(this.nl + this.pad(depth) + "}");
  }

  private verbatim(node: object): boolean {
    const own = this.layout.verbatim?.(node);
    if (own === undefined) return false;
    if (typeof own === "string") this.sink.text(own);
    else if (isSpanList(own)) for (const span of own) this.sink.span(span);
    else this.sink.span(own);
    return true;
  }

  private pad(depth: number): string {
    return this.layout.indent.repeat(depth);
  }

  /** What `write` writes, as lines (for the sides of a hunk, which are compared and re-joined). */
  private lines(write: (w: Writer) => void): string[] {
    const sink = new StringSink();
    write(new Writer(this.layout, this.markers, sink));
    return sink.done().split(this.layout.newline);
  }

  private body(entries: Entry[], depth: number): void {
    const items: Item[] = [];
    for (const entry of entries) {
      const last = items[items.length - 1];
      if (!(entry[1] instanceof Hunk)) items.push({ entry });
      else if (last && "members" in last) last.members.push(entry);
      else items.push({ lead: [], members: [entry] });
    }
    // A hunk at the end of an object decides whether the entry before it needs a comma. When
    // the sides shown disagree on that (ours and theirs, and diff3's base, which a user may take
    // too), that entry's last line (its value or closing bracket) joins the hunk and is written
    // per side, so the hunk stays as small as it can be.
    const tail = items[items.length - 1];
    const beforeTail = items[items.length - 2];
    let commaLine: Entry | null = null;
    let pendingLast: string | null = null;
    if (tail && "members" in tail && beforeTail && "entry" in beforeTail) {
      const shown: readonly Side[] = this.markers.style === "diff3" ? ["ours", "base", "theirs"] : ["ours", "theirs"];
      if (shown.some((side) => presentOn(tail.members, side) !== presentOn(tail.members, "ours"))) commaLine = beforeTail.entry;
    }
    items.forEach((item, i) => {
      const next = items[i + 1];
      if ("entry" in item && item.entry === commaLine) {
        const own = this.lines((w) => w.entry(item.entry[0], item.entry[1], depth, false));
        pendingLast = own.pop() as string;
        for (const line of own) this.sink.text(this.nl + line);
        return;
      }
      if ("entry" in item) {
        // Before a hunk that more entries follow, every side needs the comma.
        const comma =
          next !== undefined && ("entry" in next || next.lead.length > 0 || presentOn(next.members, "ours") || i + 2 < items.length);
        this.sink.text(this.nl);
        this.entry(item.entry[0], item.entry[1], depth, comma);
        return;
      }
      const hunk: HunkLines = { ours: [], base: [], theirs: [] };
      for (const side of SIDES) {
        const present: [string | null, JsonValue | WithCopies][] = [];
        for (const [key, v] of item.lead) {
          const picked = pickSide(v, side);
          if (picked !== ABSENT) present.push([key, picked]);
        }
        for (const [key, h] of item.members) {
          for (const v of sideValues((h as Hunk)[side])) present.push([key, v]);
        }
        if (pendingLast !== null) hunk[side].push(pendingLast + (present.length > 0 ? this.layout.itemSeparator : ""));
        present.forEach(([key, v], j) => {
          const comma = j < present.length - 1 || next !== undefined;
          append(hunk[side], this.lines((w) => w.entry(key, v, depth, comma)));
        });
      }
      this.hunk(hunk, false);
    });
  }

  private entry(key: string | null, v: Merged | WithCopies, depth: number, comma: boolean): void {
    // An unchanged record with its own key line is one span: nothing to build per record.
    const whole = key !== null && v instanceof Map ? this.layout.verbatimEntry?.(key, v, this.layout.indent.length * depth) : undefined;
    if (whole !== undefined) this.sink.span(whole);
    else {
      this.sink.text(this.pad(depth) + (key === null ? "" : this.layout.scalar(key) + this.layout.keySeparator));
      this.value(v, depth);
    }
    if (comma) this.sink.text(this.layout.itemSeparator);
  }

  /** The marker lines and each side's lines; `first`: nothing stands before it in the file. */
  private hunk(lines: HunkLines, first: boolean): void {
    const out: string[] = [];
    const markers = this.markers;
    const label = (mark: string, text: string) => mark.repeat(markers.size) + (text ? " " + text : "");
    let { ours, theirs } = lines;
    let after: string[] = [];
    if (markers.style === "zdiff3") {
      // zdiff3: lines both sides share at the edges of a hunk stand outside it.
      let head = 0;
      while (head < ours.length && head < theirs.length && ours[head] === theirs[head]) head++;
      append(out, ours.slice(0, head));
      ours = ours.slice(head);
      theirs = theirs.slice(head);
      let tail = 0;
      while (tail < ours.length && tail < theirs.length && ours[ours.length - 1 - tail] === theirs[theirs.length - 1 - tail]) tail++;
      after = ours.slice(ours.length - tail);
      ours = ours.slice(0, ours.length - tail);
      theirs = theirs.slice(0, theirs.length - tail);
    }
    out.push(label("<", markers.ours));
    append(out, ours);
    if (markers.style !== "merge") {
      out.push(label("|", markers.base));
      append(out, lines.base);
    }
    out.push("=".repeat(markers.size));
    append(out, theirs);
    out.push(label(">", markers.theirs));
    append(out, after);
    this.sink.text((first ? "" : this.nl) + out.join(this.nl));
  }
}

function isSpanList(v: Span | readonly Span[]): v is readonly Span[] {
  return Array.isArray(v);
}

function sideValues(s: HunkSide): Array<JsonValue | WithCopies> {
  if (s instanceof Occurrences) return s.values;
  return s === ABSENT ? [] : [s];
}

function presentOn(members: Entry[], side: Side): boolean {
  return members.some(([, h]) => sideValues((h as Hunk)[side]).length > 0);
}

/** push(...from) without spreading: a spread of some 100,000 lines overflows the stack. */
function append<T>(to: T[], from: readonly T[]): void {
  for (let i = 0; i < from.length; i++) to.push(from[i]);
}

/** Scalars as JSON.stringify spells them (generic JSON), numbers as written. */
export function plainScalar(value: string | JsonNumber | boolean | null | Embedded): string {
  if (value instanceof JsonNumber) return value.text;
  if (value instanceof Embedded) return JSON.stringify(value.text);
  return JSON.stringify(value);
}

