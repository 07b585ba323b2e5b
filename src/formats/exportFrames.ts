// The one framing of three `nixops export --all` files: where each deployment (`  "uuid": {`)
// and, in every deployment whose bytes are not the same on all three sides, each resource
// record (`      "name": {`) starts and ends. Found with native searches and comparisons only
// (each entry's closing line; in base and theirs, one comparison with ours' entry), so that
// the cut (sharedEntries.ts) and the record-by-record reading (fastNixopsRead.ts) look inside
// only what changed. Anything outside the exact frame NixOps prints (2-space indent, keys in
// strictly increasing order, "\n" line ends) is not framed: the file is then read whole.

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
 * Every entry with the same fields from the start, never changed after: one shape for V8.
 * Positions are stored as small integers (`| 0`; files are framed only below 2^30 bytes):
 * optimised code can hand over a position as a float, and storing one float deprecates the
 * shape, so that every entry made before migrates when next touched (40 ms at 48 MB).
 */
function entrySpan(key: string, line: number, start: number, end: number, sameAs: EntrySpan | undefined): EntrySpan {
  return { key, line: line | 0, start: start | 0, end: end | 0, sameAs };
}

/** Files framed: positions below this fit V8's small integers (see entrySpan). */
const MAX_FRAMED_BYTES = 2 ** 30 - 1;

/** An object's entries, each itself an object, one per line at `indent`. */
export interface ObjectFrame {
  entries: EntrySpan[];
  /** What separates two entries: ",\n" (Python 3) or ", \n" (Python 2); null with fewer than two. */
  separator: string | null;
  /** Just after the object's closing brace. */
  end: number;
}

/** A deployment's `    "resources": {...}` object. */
export interface ResourcesFrame extends ObjectFrame {
  /** Where the resources object's "{" is. */
  open: number;
}

/** One side's file, framed. */
export interface SideFrame {
  buf: Buffer;
  /** Its deployments, in its order. */
  deployments: ObjectFrame;
  byKey: Map<string, EntrySpan>;
  /**
   * By UUID, the records of each deployment whose bytes are not the same on all three sides;
   * a deployment missing here has no resources object in the frame.
   */
  resources: Map<string, ResourcesFrame>;
}

export interface ExportFrames {
  /** Base, ours, theirs. */
  sides: [SideFrame, SideFrame, SideFrame];
  /** The deployments all three hold byte for byte, key line included (their records are not framed). */
  same: Set<string>;
}

const KEY_OPENS_OBJECT = Buffer.from('": {');
const RESOURCES_LINE = Buffer.from('\n    "resources": {');
const closers = new Map<number, Buffer>();

/** A newline, `indent` spaces and "}": the line that closes an object opened at that indent. */
export function closer(indent: number): Buffer {
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

interface Guide {
  buf: Buffer;
  entries: readonly EntrySpan[];
}

/**
 * The entries of the object whose "{" is at `open`, each an object on its own lines at
 * `indent` spaces, keys strictly increasing (so none twice), or null when it is not so. With
 * ours' entries of the same object as the guide, an entry with ours' bytes is found by one
 * comparison instead of a search for its end.
 */
export function frameObject(b: Buffer, open: number, indent: number, guide?: Guide): ObjectFrame | null {
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
function frameExport(b: Buffer, guide?: Guide): ObjectFrame | null {
  if (b.length < 4 || b[1] !== NL) return null;
  const frame = frameObject(b, 0, 2, guide);
  return frame && frame.end === b.length - 1 && b[frame.end] === NL ? frame : null;
}

/** A deployment's resource records (its `    "resources": {` object), or null when not in the frame. */
function frameResources(b: Buffer, d: EntrySpan, guide?: { buf: Buffer; resources: ResourcesFrame }): ResourcesFrame | null {
  const at = b.subarray(d.start, d.end).indexOf(RESOURCES_LINE);
  if (at === -1) return null;
  const open = d.start + at + RESOURCES_LINE.length - 1;
  const frame = frameObject(b, open, 6, guide && { buf: guide.buf, entries: guide.resources.entries });
  if (frame === null || frame.end > d.end) return null;
  // A second "resources" after the first (a repeated key, for the full reading to report): not framed.
  if (b.subarray(frame.end, d.end).indexOf(RESOURCES_LINE) !== -1) return null;
  return { open: open | 0, ...frame };
}

/**
 * Does the deployment hold a `    "resources": {` line? Found from its start, so only its own
 * attributes before the resources are searched: for a deployment no side changed, whose
 * records are not framed.
 */
function holdsResources(b: Buffer, d: EntrySpan): boolean {
  const at = b.indexOf(RESOURCES_LINE, d.start);
  return at !== -1 && at < d.end;
}

/** Does side `b` hold, at entry `e`, ours' (`a`) bytes of entry `d`, key line included? */
export function sameBytes(a: Buffer, d: EntrySpan, b: Buffer, e: EntrySpan): boolean {
  if (e.sameAs === d) return true;
  return d.end - d.line === e.end - e.line && a.compare(b, e.line, e.end, d.line, d.end) === 0;
}

function sideFrame(buf: Buffer, deployments: ObjectFrame): SideFrame {
  return { buf, deployments, byKey: new Map(deployments.entries.map((e) => [e.key, e])), resources: new Map() };
}

/**
 * Base, ours and theirs framed, or null when a file is not in the frame at the top (then it
 * is read whole). Ours is framed by searching; base and theirs with ours as the guide. The
 * records of deployments all three hold byte for byte are framed only if `frameSame` says so
 * (a reading that takes nothing out needs them).
 */
export function frameExports(base: Buffer, ours: Buffer, theirs: Buffer, frameSame = false): ExportFrames | null {
  if (Math.max(base.length, ours.length, theirs.length) > MAX_FRAMED_BYTES) return null;
  const fo = frameExport(ours);
  if (fo === null) return null;
  const guide = { buf: ours, entries: fo.entries };
  const fb = frameExport(base, guide);
  const ft = frameExport(theirs, guide);
  if (fb === null || ft === null) return null;
  const sides: [SideFrame, SideFrame, SideFrame] = [sideFrame(base, fb), sideFrame(ours, fo), sideFrame(theirs, ft)];
  const same = new Set<string>();
  for (const o of fo.entries) {
    const b = sides[0].byKey.get(o.key);
    const t = sides[2].byKey.get(o.key);
    if (b && t && sameBytes(ours, o, base, b) && sameBytes(ours, o, theirs, t)) {
      // A top-level entry without resources: not a NixOps export (the profile table reads it as JSON).
      if (!frameSame && !holdsResources(ours, o)) return null;
      same.add(o.key);
      if (!frameSame) continue;
    }
    const ro = frameResources(ours, o);
    if (ro !== null) sides[1].resources.set(o.key, ro);
    for (const [side, e] of [[sides[0], b] as const, [sides[2], t] as const]) {
      const r = e && frameResources(side.buf, e, ro === null ? undefined : { buf: ours, resources: ro });
      if (r) side.resources.set(e.key, r);
    }
  }
  // Deployments ours does not hold (created by one side, or deleted by ours).
  for (const side of [sides[0], sides[2]]) {
    for (const e of side.deployments.entries) {
      if (sides[1].byKey.has(e.key)) continue;
      const r = frameResources(side.buf, e);
      if (r) side.resources.set(e.key, r);
    }
  }
  return { sides, same };
}
