// What base, ours and theirs hold byte for byte in a NixOps export: whole deployments
// (`  "uuid": {...}`) and, inside deployments all three have, whole resource records
// (`      "name": {...}`). A merge has nothing to decide there, so they are cut out before
// reading and put back afterwards as ours' own bytes, never parsed or checked: the work of a
// merge follows what changed, not the size of the file. Found with native searches and
// comparisons only (each entry's closing line, and one comparison of its bytes per side).
// Anything outside the exact frame NixOps prints (2-space indent, keys in strictly increasing
// order, "\n" line ends) is not cut: a file not in the frame at the top is read whole.

import type { JsonObject, JsonValue, Slot } from "../core/values";
import { LazyRecord } from "./fastRecord";
import type { Span } from "./renderDocument";
import { decodeDeploymentEmbedded, decodeRecordEmbedded } from "./nixopsExport";
import { CLOSE_BRACE, COMMA, NL, OPEN_BRACE, QUOTE, SPACE } from "./byteCodes";

/** One entry of an object in the frame: its key, and its bytes from its key line to its closing brace. */
export interface EntrySpan {
  key: string;
  /** Start of the line `<indent>"key": {`. */
  line: number;
  /** [start, end): the value text, from "{" to "}". */
  start: number;
  end: number;
  /** Another side's entry: ours' entry with the very same bytes, when found by the guide. */
  sameAs: EntrySpan | undefined;
}

/**
 * Every entry with the same fields from the start, never changed after: one shape for V8
 * (a field added or retyped later makes V8 migrate each object when next touched).
 */
function entrySpan(key: string, line: number, start: number, end: number, sameAs: EntrySpan | undefined): EntrySpan {
  return { key, line, start, end, sameAs };
}

/** An object's entries, each itself an object, one per line at `indent`. */
export interface ObjectFrame {
  entries: EntrySpan[];
  /** What separates two entries: ",\n" (Python 3) or ", \n" (Python 2); null with fewer than two. */
  separator: string | null;
  /** Just after the object's closing brace. */
  end: number;
}

const KEY_OPENS_OBJECT = Buffer.from('": {');
const RESOURCES_LINE = Buffer.from('\n    "resources": {');
const closers = new Map<number, Buffer>();

/** A newline, `indent` spaces and "}": the line that closes an object opened at that indent. */
function closer(indent: number): Buffer {
  let c = closers.get(indent);
  if (!c) closers.set(indent, (c = Buffer.from("\n" + " ".repeat(indent) + "}")));
  return c;
}

/** A key as NixOps writes UUIDs and resource names: printable ASCII, no quote or backslash. */
const PLAIN_KEY = /^[ !#-[\]-~]+$/;

function indentAt(b: Buffer, p: number, indent: number): boolean {
  for (let i = 0; i < indent; i++) if (b[p + i] !== SPACE) return false;
  return b[p + indent] === QUOTE;
}

/** The entry whose key line starts at p, or null when the bytes there are not one. */
function entryAt(b: Buffer, p: number, indent: number, closing: ClosingLines): EntrySpan | null {
  if (!indentAt(b, p, indent)) return null;
  const keyEnd = b.indexOf(KEY_OPENS_OBJECT, p + indent + 1);
  if (keyEnd === -1) return null;
  const key = b.toString("latin1", p + indent + 1, keyEnd);
  if (!PLAIN_KEY.test(key)) return null;
  const start = keyEnd + 3;
  if (b[start + 1] === CLOSE_BRACE) return entrySpan(key, p, start, start + 2, undefined);
  if (b[start + 1] !== NL) return null;
  const close = closing.find(start, indent);
  if (close === -1) return null;
  return entrySpan(key, p, start, close + indent + 2, undefined);
}

/**
 * Where the first closing line (a newline, `indent` spaces, "}") after `from` starts, or -1.
 * A closing line followed by another entry ends in "},\n", and nothing else in the frame does
 * (a string holds no raw newline): that pattern is several times quicker to find. It gives the
 * answer when no line ends in "}\n" before it (the last entry of an object, whose end the
 * pattern would jump over). Where each pattern is next is remembered while asks stay before
 * it (Python 2's separator is "}, \n": the quick pattern is then never found, once).
 */
class ClosingLines {
  private readonly more = new NextPlace(THEN_MORE);
  private readonly last = new NextPlace(THEN_END);

  private constructor(private readonly b: Buffer) {}

  private static readonly known = new WeakMap<Buffer, ClosingLines>();

  /** One per file, so that what it remembers serves every object framed in it. */
  static of(b: Buffer): ClosingLines {
    let c = ClosingLines.known.get(b);
    if (!c) ClosingLines.known.set(b, (c = new ClosingLines(b)));
    return c;
  }

  find(from: number, indent: number): number {
    const b = this.b;
    const brace = this.more.after(b, from);
    const line = brace - indent - 1;
    if (brace !== Infinity && line >= from && b[line] === NL && allSpaces(b, line + 1, indent) && this.last.after(b, from) > brace) return line;
    return b.indexOf(closer(indent), from);
  }
}

const THEN_MORE = Buffer.from("},\n");
const THEN_END = Buffer.from("}\n");

/** The first place of a pattern at or after a position, remembered while later asks fall before it. */
class NextPlace {
  private from = Infinity;
  private at = -1;

  constructor(private readonly pattern: Buffer) {}

  after(b: Buffer, from: number): number {
    if (from < this.from || from > this.at) {
      const at = b.indexOf(this.pattern, from);
      this.from = from;
      this.at = at === -1 ? Infinity : at;
    }
    return this.at;
  }
}

function allSpaces(b: Buffer, p: number, n: number): boolean {
  for (let i = 0; i < n; i++) if (b[p + i] !== SPACE) return false;
  return true;
}

/** Ours' entry `o` at p in b, if b holds its very bytes there (key line included) and an entry ends there. */
function guidedEntryAt(b: Buffer, p: number, guide: Buffer, o: EntrySpan | undefined): EntrySpan | null {
  if (o === undefined) return null;
  const end = p + (o.end - o.line);
  if (end >= b.length || (b[end] !== COMMA && b[end] !== NL)) return null;
  if (guide.compare(b, p, end, o.line, o.end) !== 0) return null;
  return entrySpan(o.key, p, p + (o.start - o.line), end, o);
}

/**
 * The entries of the object whose "{" is at `open`, each an object on its own lines at
 * `indent` spaces, keys strictly increasing (so none twice), or null when it is not so. With
 * ours' entries of the same object as the guide, an entry with ours' bytes is found by one
 * comparison instead of a search for its end.
 */
export function frameObject(b: Buffer, open: number, indent: number, guide?: { buf: Buffer; entries: readonly EntrySpan[] }): ObjectFrame | null {
  if (b[open] !== OPEN_BRACE) return null;
  if (b[open + 1] === CLOSE_BRACE) return { entries: [], separator: null, end: open + 2 };
  if (b[open + 1] !== NL) return null;
  const entries: EntrySpan[] = [];
  const closing = ClosingLines.of(b);
  let separator: string | null = null;
  let p = open + 2;
  let cursor = 0; // guide entries before this have keys below the last entry found
  for (;;) {
    let entry = guide ? guidedEntryAt(b, p, guide.buf, guide.entries[cursor]) : null;
    if (entry !== null) cursor++;
    else {
      entry = entryAt(b, p, indent, closing);
      if (entry === null) return null;
      while (guide && cursor < guide.entries.length && guide.entries[cursor].key <= entry.key) cursor++;
    }
    const previous = entries[entries.length - 1];
    if (previous !== undefined && !(previous.key < entry.key)) return null;
    entries.push(entry);
    p = entry.end;
    if (b[p] === NL) {
      const close = closer(indent - 2);
      return b.compare(close, 0, close.length, p, p + close.length) === 0 ? { entries, separator, end: p + close.length } : null;
    }
    if (b[p] !== COMMA) return null;
    const sep = b[p + 1] === SPACE ? ", \n" : ",\n";
    if (b[p + sep.length - 1] !== NL || (separator !== null && separator !== sep)) return null;
    separator = sep;
    p += sep.length;
  }
}

/** The deployments of an export: its top-level object, closed by "}" and one newline at the end of the file. */
function frameExport(b: Buffer, guide?: { buf: Buffer; entries: readonly EntrySpan[] }): ObjectFrame | null {
  if (b.length < 4 || b[1] !== NL) return null;
  const frame = frameObject(b, 0, 2, guide);
  return frame && frame.end === b.length - 1 && b[frame.end] === NL ? frame : null;
}

/** A deployment's resource records (its `    "resources": {` object), or null when not in the frame. */
function frameResources(b: Buffer, d: EntrySpan, guide?: { buf: Buffer; resources: Resources }): Resources | null {
  const at = b.subarray(d.start, d.end).indexOf(RESOURCES_LINE);
  if (at === -1) return null;
  const open = d.start + at + RESOURCES_LINE.length - 1;
  const frame = frameObject(b, open, 6, guide && { buf: guide.buf, entries: guide.resources.entries });
  if (frame === null || frame.end > d.end) return null;
  // A second "resources" after the first (a repeated key, for the full reading to report): not cut.
  if (b.subarray(frame.end, d.end).indexOf(RESOURCES_LINE) !== -1) return null;
  return { open, ...frame };
}

interface Resources extends ObjectFrame {
  /** Where the resources object's "{" is. */
  open: number;
}

/** Does side `b` hold, at entry `e`, ours' (`a`) bytes of entry `d`, key line included? */
function sameBytes(a: Buffer, d: EntrySpan, b: Buffer, e: EntrySpan): boolean {
  if (e.sameAs === d) return true;
  return d.end - d.line === e.end - e.line && a.compare(b, e.line, e.end, d.line, d.end) === 0;
}

/** What the cut took out, and each side's order of keys to put it back in. */
export interface SharedCut {
  /** Base, ours and theirs without what all three share (each still a NixOps export, maybe `{}`). */
  reduced: [Buffer, Buffer, Buffer];
  /** Deployments all three hold byte for byte, by UUID. */
  deployments: Map<string, SharedEntry>;
  /** Resource records all three hold byte for byte, by deployment UUID then name. */
  records: Map<string, Map<string, SharedEntry>>;
  /** Per side: its deployments' UUIDs in its order (records need none: NixOps' layout sorts them, and nothing cut reports anything). */
  orders: { deployments: string[] }[];
}

interface SideFrame {
  buf: Buffer;
  frame: ObjectFrame;
  byKey: Map<string, EntrySpan>;
}

/**
 * Base, ours and theirs with what all three hold byte for byte cut out, or null when a file
 * is not in the frame, or nothing is shared, or nothing else is left (nothing to gain).
 */
export function cutSharedEntries(base: Buffer, ours: Buffer, theirs: Buffer): SharedCut | null {
  const fo = frameExport(ours);
  if (fo === null) return null;
  const guide = { buf: ours, entries: fo.entries };
  const fb = frameExport(base, guide);
  const ft = frameExport(theirs, guide);
  if (fb === null || ft === null) return null;
  const sides: SideFrame[] = [
    { buf: base, frame: fb, byKey: new Map(fb.entries.map((e) => [e.key, e])) },
    { buf: ours, frame: fo, byKey: new Map(fo.entries.map((e) => [e.key, e])) },
    { buf: theirs, frame: ft, byKey: new Map(ft.entries.map((e) => [e.key, e])) },
  ];
  const deployments = new Map<string, SharedEntry>();
  const records = new Map<string, Map<string, SharedEntry>>();
  // Every side's entries that are cut out (all three hold them byte for byte).
  const cut = new Set<EntrySpan>();
  // Per deployment records are cut from: each side's resources frame.
  const cutFrom = new Map<string, Resources[]>();
  for (const o of fo.entries) {
    const b = sides[0].byKey.get(o.key);
    const t = sides[2].byKey.get(o.key);
    if (!b || !t) continue;
    if (sameBytes(ours, o, base, b) && sameBytes(ours, o, theirs, t)) {
      deployments.set(o.key, new SharedEntry(ours, o, "deployment"));
      for (const e of [b, o, t]) cut.add(e);
      continue;
    }
    const ro = frameResources(ours, o);
    if (ro === null) continue;
    const rb = frameResources(base, b, { buf: ours, resources: ro });
    const rt = frameResources(theirs, t, { buf: ours, resources: ro });
    if (rb === null || rt === null) continue;
    // Ours' records the guide found in base and in theirs with their very bytes (one comparison each).
    const inBase = new Map(rb.entries.map((e) => [e.sameAs, e]));
    const shared = new Map<string, SharedEntry>();
    for (const e of rt.entries) {
      const r = e.sameAs;
      const inB = r && inBase.get(r);
      if (!r || !inB) continue;
      shared.set(r.key, new SharedEntry(ours, r, "record"));
      for (const x of [inB, r, e]) cut.add(x);
    }
    if (shared.size === 0) continue;
    records.set(o.key, shared);
    cutFrom.set(o.key, [rb, ro, rt]);
  }
  if (deployments.size === 0 && records.size === 0) return null;
  const reduced = sides.map((side, i) => reduce(side, cut, cutFrom, i)) as [Buffer, Buffer, Buffer];
  const orders = sides.map((side) => ({ deployments: side.frame.entries.map((e) => e.key) }));
  return { reduced, deployments, records, orders };
}

/** One side's file without the shared deployments and records, in the same frame. */
function reduce(side: SideFrame, cut: Set<EntrySpan>, cutFrom: Map<string, Resources[]>, i: number): Buffer {
  const { buf, frame } = side;
  const kept = frame.entries.filter((e) => !cut.has(e));
  if (kept.length === 0) return Buffer.from("{}\n");
  const separator = Buffer.from(frame.separator ?? ",\n");
  const parts: Buffer[] = [Buffer.from("{\n")];
  kept.forEach((d, k) => {
    if (k > 0) parts.push(separator);
    const resources = cutFrom.get(d.key)?.[i];
    if (!resources) {
      parts.push(buf.subarray(d.line, d.end));
      return;
    }
    // The deployment up to its resources' "{", the records not shared, and the rest after "}".
    parts.push(buf.subarray(d.line, resources.open + 1));
    const left = resources.entries.filter((r) => !cut.has(r));
    if (left.length === 0) parts.push(Buffer.from("}"));
    else {
      const recordSeparator = Buffer.from(resources.separator ?? frame.separator ?? ",\n");
      parts.push(Buffer.from("\n"));
      left.forEach((r, n) => {
        if (n > 0) parts.push(recordSeparator);
        parts.push(buf.subarray(r.line, r.end));
      });
      parts.push(closer(4));
    }
    parts.push(buf.subarray(resources.end, d.end));
  });
  parts.push(Buffer.from("\n}\n"));
  return Buffer.concat(parts);
}

/**
 * The values read from the reduced files, with what was cut put back: one object on all three
 * sides for each shared deployment or record. Deployments go back in each side's order (the
 * unique-name rule names them in that order); records are added at the end of their
 * deployment's resources (NixOps' layout writes them sorted, and a record no side changed
 * gives the merge nothing to report, so their order shows nowhere).
 */
export function putBackShared(values: Slot[], cut: SharedCut): void {
  values.forEach((root, i) => {
    if (!(root instanceof Map)) throw new Error("a reduced export is not an object");
    const own = new Map(root);
    root.clear();
    for (const key of cut.orders[i].deployments) {
      const value = cut.deployments.get(key) ?? own.get(key);
      if (value === undefined) throw new Error(`${key} is neither shared nor in the reduced export`);
      root.set(key, value);
    }
    for (const [uuid, shared] of cut.records) {
      const resources = (root.get(uuid) as JsonObject | undefined)?.get("resources");
      if (!(resources instanceof Map)) throw new Error(`the reduced deployment ${uuid} has no resources`);
      for (const [name, record] of shared) resources.set(name, record);
    }
  });
}

/**
 * A deployment or record all three sides hold byte for byte: a real Map to every reader,
 * parsed only if something looks inside (its bytes were never checked, so they are read as
 * UTF-8), written back as ours' bytes.
 */
export class SharedEntry extends LazyRecord {
  /** A deployment's `name`, read from its own line (see nameLine); undefined: none read, or a record. */
  private readonly name: string | undefined;

  constructor(
    source: Buffer,
    private readonly entry: EntrySpan,
    readonly kind: "deployment" | "record",
  ) {
    super([{ source, start: entry.start, end: entry.end }], undefined, kind === "deployment" ? decodeDeploymentEmbedded : decodeRecordEmbedded);
    this.name = kind === "deployment" ? nameLine(source, entry) : undefined;
  }

  /**
   * Its bytes from the start of its key line, when written under its own key at its own
   * indentation: the frame checked that line to be spaces, the plain key quoted, and `": `,
   * which is what NixOps' layout writes there.
   */
  entryBytes(key: string, indent: number): Span | undefined {
    const e = this.entry;
    if (key !== e.key || e.start - e.line !== indent + key.length + 4) return undefined;
    return { source: this.parts[0].source, start: e.line, end: e.end };
  }

  override get text(): string {
    const [p] = this.parts;
    return p.source.toString("utf8", p.start, p.end);
  }

  /**
   * The unique-name rule reads every deployment's name: a shared one answers from its name
   * line and is never parsed for it (what no side changed is not read; without such a line
   * it has no name the rule can see).
   */
  override get(key: string): JsonValue | undefined {
    if (key === "name" && this.kind === "deployment" && this.pristine) return this.name;
    return super.get(key);
  }
}

const NAME_KEY = Buffer.from('\n    "name":');

/**
 * The deployment's first `"name": "..."` line at its own indent (blanks after the colon
 * allowed), its string read as JSON from UTF-8; undefined if there is none.
 */
function nameLine(source: Buffer, entry: EntrySpan): string | undefined {
  const within = source.subarray(entry.start, entry.end);
  const at = within.indexOf(NAME_KEY);
  if (at === -1) return undefined;
  let valueStart = at + NAME_KEY.length;
  while (within[valueStart] === SPACE) valueStart++;
  const nl = within.indexOf(NL, valueStart);
  if (within[valueStart] !== QUOTE || nl === -1) return undefined;
  let valueEnd = nl;
  while (within[valueEnd - 1] === SPACE) valueEnd--;
  if (within[valueEnd - 1] === COMMA) valueEnd--;
  try {
    const value: unknown = JSON.parse(within.toString("utf8", valueStart, valueEnd));
    return typeof value === "string" ? value : undefined;
  } catch {
    return undefined;
  }
}
