// Writes a merged value as lines, with Git conflict markers around whole entries. Each hunk
// is rendered once per side with that side's own commas, so that taking ours (or theirs) in
// every hunk gives valid JSON. Layouts (NixOps, generic JSON) only say how to spell things.

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
  /** Ours' own text for an object or array taken unchanged from ours. */
  verbatim?(node: object): string | undefined;
}

export type ConflictStyle = "merge" | "diff3" | "zdiff3";

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
type Line = string | HunkLines;
type Side = "ours" | "base" | "theirs";
const SIDES: Side[] = ["ours", "base", "theirs"];

export function renderDocument(merged: Merged, layout: Layout, markers: Markers): string {
  const effective = layout.compact && containsHunk(merged) ? expanded(layout) : layout;
  const lines: Line[] = merged instanceof Hunk ? [rootHunk(merged, effective)] : new Writer(effective).value(merged, 0);
  const text = joinLines(lines, effective, markers);
  return (layout.bom ? "\ufeff" : "") + text + (layout.finalNewline ? effective.newline : "");
}

/** The layout used when a one-line document needs conflict markers (which need lines). */
function expanded(layout: Layout): Layout {
  return { ...layout, compact: false, indent: "  ", itemSeparator: ",", keySeparator: ": ", newline: layout.newline || "\n" };
}

function rootHunk(h: Hunk, layout: Layout): HunkLines {
  const w = new Writer(layout);
  const side = (s: HunkSide): string[] => {
    const v = s instanceof Occurrences ? s.last : s;
    return v === ABSENT ? [] : (w.value(v, 0) as string[]);
  };
  return { ours: side(h.ours), base: side(h.base), theirs: side(h.theirs) };
}

/** An object entry, or an array element (no key): both are written by `body`. */
type Entry = [string | null, Merged | WithCopies];
type Item = { entry: Entry } | { lead: Array<[string | null, Merged]>; members: Entry[] };

class Writer {
  constructor(private readonly layout: Layout) {}

  /** A value's lines; the first is not indented (a key may precede it). */
  value(v: Merged | WithCopies, depth: number): Line[] {
    if (v instanceof WithCopies) return this.withCopies(v, depth);
    if (v instanceof Map) {
      if (v.size === 0) return ["{}"];
      const own = this.layout.verbatim?.(v);
      if (own !== undefined) return splitLines(own);
      const entries = [...v.entries()];
      if (this.layout.sortKeys) entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
      return ["{", ...this.body(entries, depth + 1), this.pad(depth) + "}"];
    }
    if (Array.isArray(v)) {
      if (v.length === 0) return ["[]"];
      const own = this.layout.verbatim?.(v);
      if (own !== undefined) return splitLines(own);
      // Elements of a keyed array may be hunks: written like object entries, without keys.
      return ["[", ...this.body(v.map((el): Entry => [null, el]), depth + 1), this.pad(depth) + "]"];
    }
    if (v instanceof Hunk) throw new Error("a conflict hunk can only stand for an object entry or an array element");
    return [this.layout.scalar(v)];
  }

  /** An input's object as it wrote it: a repeated key once per copy, in the order written. */
  private withCopies(v: WithCopies, depth: number): Line[] {
    if (!(v.value instanceof Map) || v.value.size === 0) return this.value(v.value, depth);
    const entries: Entry[] = [];
    for (const [key, x] of v.value) {
      const e = v.entry(key, x);
      if (e instanceof Occurrences) for (const copy of e.values) entries.push([key, copy]);
      else entries.push([key, e]);
    }
    if (this.layout.sortKeys) entries.sort(([a], [b]) => ((a as string) < (b as string) ? -1 : (a as string) > (b as string) ? 1 : 0));
    return ["{", ...this.body(entries, depth + 1), this.pad(depth) + "}"];
  }

  private pad(depth: number): string {
    return this.layout.indent.repeat(depth);
  }

  private body(entries: Entry[], depth: number): Line[] {
    const items: Item[] = [];
    for (const entry of entries) {
      const last = items[items.length - 1];
      if (!(entry[1] instanceof Hunk)) items.push({ entry });
      else if (last && "members" in last) last.members.push(entry);
      else items.push({ lead: [], members: [entry] });
    }
    // A hunk at the end of an object decides whether the entry before it needs a comma. When
    // ours and theirs disagree on that, that entry's last line (its value or closing bracket)
    // joins the hunk and is written per side, so the hunk stays as small as it can be.
    const tail = items[items.length - 1];
    const beforeTail = items[items.length - 2];
    let commaLine: Entry | null = null;
    let pendingLast: string | null = null;
    if (tail && "members" in tail && beforeTail && "entry" in beforeTail) {
      if (presentOn(tail.members, "ours") !== presentOn(tail.members, "theirs")) commaLine = beforeTail.entry;
    }
    const lines: Line[] = [];
    items.forEach((item, i) => {
      const next = items[i + 1];
      if ("entry" in item && item.entry === commaLine) {
        const own = this.entry(item.entry[0], item.entry[1], depth, false);
        pendingLast = own.pop() as string;
        append(lines, own);
        return;
      }
      if ("entry" in item) {
        // Before a hunk that more entries follow, every side needs the comma.
        const comma =
          next !== undefined && ("entry" in next || next.lead.length > 0 || presentOn(next.members, "ours") || i + 2 < items.length);
        append(lines, this.entry(item.entry[0], item.entry[1], depth, comma));
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
          append(hunk[side], this.entry(key, v, depth, comma) as string[]);
        });
      }
      lines.push(hunk);
    });
    return lines;
  }

  private entry(key: string | null, v: Merged | WithCopies, depth: number, comma: boolean): Line[] {
    const lines = this.value(v, depth);
    const prefix = key === null ? "" : this.layout.scalar(key) + this.layout.keySeparator;
    lines[0] = this.pad(depth) + prefix + (lines[0] as string);
    if (comma) lines[lines.length - 1] += this.layout.itemSeparator;
    return lines;
  }
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

/** split(/\r?\n/), quicker on the usual text without "\r". */
function splitLines(text: string): string[] {
  return text.includes("\r") ? text.split(/\r?\n/) : text.split("\n");
}

function joinLines(lines: Line[], layout: Layout, markers: Markers): string {
  const out: string[] = [];
  const label = (mark: string, text: string) => mark.repeat(markers.size) + (text ? " " + text : "");
  for (const line of lines) {
    if (typeof line === "string") {
      out.push(line);
      continue;
    }
    let { ours, theirs } = line;
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
      append(out, line.base);
    }
    out.push("=".repeat(markers.size));
    append(out, theirs);
    out.push(label(">", markers.theirs));
    append(out, after);
  }
  return out.join(layout.compact ? "" : layout.newline);
}

/** Scalars as JSON.stringify spells them (generic JSON), numbers as written. */
export function plainScalar(value: string | JsonNumber | boolean | null | Embedded): string {
  if (value instanceof JsonNumber) return value.text;
  if (value instanceof Embedded) return JSON.stringify(value.text);
  return JSON.stringify(value);
}

