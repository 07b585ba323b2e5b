// Writes a merged value as lines, with Git conflict markers around whole entries. Each hunk
// is rendered once per side with that side's own commas, so that taking ours (or theirs) in
// every hunk gives valid JSON. Layouts (NixOps, generic JSON) only say how to spell things.

import { ABSENT, Embedded, JsonNumber, type JsonValue } from "../core/values";
import { Hunk, Occurrences, containsHunk, pickSide, type HunkSide, type Merged } from "../core/merged";

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
  return { ...layout, compact: false, indent: "  ", keySeparator: ": ", newline: layout.newline || "\n" };
}

function rootHunk(h: Hunk, layout: Layout): HunkLines {
  const w = new Writer(layout);
  const side = (s: HunkSide): string[] => {
    const v = s instanceof Occurrences ? s.last : s;
    return v === ABSENT ? [] : (w.value(v, 0) as string[]);
  };
  return { ours: side(h.ours), base: side(h.base), theirs: side(h.theirs) };
}

type Entry = [string, Merged];
type Item = { entry: Entry } | { lead: Entry[]; members: Entry[] };

class Writer {
  constructor(private readonly layout: Layout) {}

  /** A value's lines; the first is not indented (a key may precede it). */
  value(v: Merged, depth: number): Line[] {
    if (v instanceof Map) {
      if (v.size === 0) return ["{}"];
      const own = this.layout.verbatim?.(v);
      if (own !== undefined) return own.split(/\r?\n/);
      const entries = [...v.entries()];
      if (this.layout.sortKeys) entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
      return ["{", ...this.body(entries, depth + 1), this.pad(depth) + "}"];
    }
    if (Array.isArray(v)) {
      if (v.length === 0) return ["[]"];
      const own = this.layout.verbatim?.(v);
      if (own !== undefined) return own.split(/\r?\n/);
      const lines: string[] = ["["];
      v.forEach((el, i) => {
        const inner = this.value(el, depth + 1) as string[];
        inner[0] = this.pad(depth + 1) + inner[0];
        if (i < v.length - 1) inner[inner.length - 1] += this.layout.itemSeparator;
        lines.push(...inner);
      });
      lines.push(this.pad(depth) + "]");
      return lines;
    }
    if (v instanceof Hunk) throw new Error("a conflict hunk can only stand for an object entry");
    return [this.layout.scalar(v)];
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
    // ours and theirs disagree on that, the entry joins the hunk and is written per side.
    const tail = items[items.length - 1];
    const beforeTail = items[items.length - 2];
    if (tail && "members" in tail && beforeTail && "entry" in beforeTail) {
      if (presentOn(tail.members, "ours") !== presentOn(tail.members, "theirs")) {
        tail.lead.push(beforeTail.entry);
        items.splice(items.length - 2, 1);
      }
    }
    const lines: Line[] = [];
    items.forEach((item, i) => {
      const next = items[i + 1];
      if ("entry" in item) {
        const comma = next !== undefined && ("entry" in next || next.lead.length > 0 || presentOn(next.members, "ours"));
        lines.push(...this.entry(item.entry[0], item.entry[1], depth, comma));
        return;
      }
      const hunk: HunkLines = { ours: [], base: [], theirs: [] };
      for (const side of SIDES) {
        const present: [string, JsonValue][] = [];
        for (const [key, v] of item.lead) {
          const picked = pickSide(v, side);
          if (picked !== ABSENT) present.push([key, picked]);
        }
        for (const [key, h] of item.members) {
          for (const v of sideValues((h as Hunk)[side])) present.push([key, v]);
        }
        present.forEach(([key, v], j) => {
          const comma = j < present.length - 1 || next !== undefined;
          hunk[side].push(...(this.entry(key, v, depth, comma) as string[]));
        });
      }
      lines.push(hunk);
    });
    return lines;
  }

  private entry(key: string, v: Merged, depth: number, comma: boolean): Line[] {
    const lines = this.value(v, depth);
    lines[0] = this.pad(depth) + this.layout.scalar(key) + this.layout.keySeparator + (lines[0] as string);
    if (comma) lines[lines.length - 1] += this.layout.itemSeparator;
    return lines;
  }
}

function sideValues(s: HunkSide): JsonValue[] {
  if (s instanceof Occurrences) return s.values;
  return s === ABSENT ? [] : [s];
}

function presentOn(members: Entry[], side: Side): boolean {
  return members.some(([, h]) => sideValues((h as Hunk)[side]).length > 0);
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
      out.push(...ours.slice(0, head));
      ours = ours.slice(head);
      theirs = theirs.slice(head);
      let tail = 0;
      while (tail < ours.length && tail < theirs.length && ours[ours.length - 1 - tail] === theirs[theirs.length - 1 - tail]) tail++;
      after = ours.slice(ours.length - tail);
      ours = ours.slice(0, ours.length - tail);
      theirs = theirs.slice(0, theirs.length - tail);
    }
    out.push(label("<", markers.ours), ...ours);
    if (markers.style !== "merge") out.push(label("|", markers.base), ...line.base);
    out.push("=".repeat(markers.size), ...theirs, label(">", markers.theirs), ...after);
  }
  return out.join(layout.compact ? "" : layout.newline);
}

/** Scalars as JSON.stringify spells them (generic JSON), numbers as written. */
export function plainScalar(value: string | JsonNumber | boolean | null | Embedded): string {
  if (value instanceof JsonNumber) return value.text;
  if (value instanceof Embedded) return JSON.stringify(value.text);
  return JSON.stringify(value);
}

