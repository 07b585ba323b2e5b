// Framing one JSON object of the NixOps export layout: its entries, each an object on its own
// lines at a fixed indent, keys strictly increasing, found with native searches and one byte
// comparison per entry where another side's entries guide (exportFrames.ts frames the three
// files with these; recordRuns.ts takes runs of records another side holds byte for byte).

import { BACKSLASH, CLOSE_BRACE, COLON, COMMA, NL, OPEN_BRACE, QUOTE, SPACE, TILDE } from "./byteCodes";

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
  /**
   * How many records it spans: 1, or more for a run of records that base, ours and theirs hold
   * byte for byte and next to each other (recordRuns.ts), from `key`'s line to `last`'s end.
   */
  records: number;
  /** The key of its last record (`key` itself for one record). */
  last: string;
}

/**
 * Every entry with the same fields from the start, never changed after: one shape for V8.
 * Positions are stored as small integers (`| 0`; files are framed only below 2^30 bytes):
 * optimised code can hand over a position as a float, and storing one float deprecates the
 * shape, so that every entry made before migrates when next touched (40 ms at 48 MB).
 */
export function entrySpan(key: string, line: number, start: number, end: number, sameAs: EntrySpan | undefined, records = 1, last = key): EntrySpan {
  return { key, line: line | 0, start: start | 0, end: end | 0, sameAs, records: records | 0, last };
}

/** An object's entries, each itself an object, one per line at `indent`. */
export interface ObjectFrame {
  entries: EntrySpan[];
  /** What separates two entries: ",\n" (Python 3) or ", \n" (Python 2); null with fewer than two. */
  separator: string | null;
  /** Just after the object's closing brace. */
  end: number;
}

const closers = new Map<number, Buffer>();

/** A newline, `indent` spaces and "}": the line that closes an object opened at that indent. */
export function closer(indent: number): Buffer {
  let c = closers.get(indent);
  if (!c) closers.set(indent, (c = Buffer.from("\n" + " ".repeat(indent) + "}")));
  return c;
}

/**
 * Where the key that starts at p ends (its closing quote), or -1: a key as NixOps writes UUIDs
 * and resource names, printable ASCII with no quote or backslash, at least one byte. Read byte
 * by byte: quicker than a search and a pattern test for keys this short, once per record.
 */
function plainKeyEnd(b: Buffer, p: number): number {
  let q = p;
  for (let c = b[q]; c !== QUOTE; c = b[++q]) if (c === undefined || c < SPACE || c > TILDE || c === BACKSLASH) return -1;
  return q > p ? q : -1;
}

function indentAt(b: Buffer, p: number, indent: number): boolean {
  for (let i = 0; i < indent; i++) if (b[p + i] !== SPACE) return false;
  return b[p + indent] === QUOTE;
}

/** The entry whose key line starts at p, or null when the bytes there are not one. */
export function entryAt(b: Buffer, p: number, indent: number, closing: ClosingLines): EntrySpan | null {
  if (!indentAt(b, p, indent)) return null;
  const keyEnd = plainKeyEnd(b, p + indent + 1);
  // `": {` after the key.
  if (keyEnd === -1 || b[keyEnd + 1] !== COLON || b[keyEnd + 2] !== SPACE || b[keyEnd + 3] !== OPEN_BRACE) return null;
  const key = b.toString("latin1", p + indent + 1, keyEnd);
  const start = keyEnd + 3;
  if (b[start + 1] === CLOSE_BRACE) return entrySpan(key, p, start, start + 2, undefined);
  if (b[start + 1] !== NL) return null;
  const close = closing.find(start, indent);
  if (close === -1) return null;
  return entrySpan(key, p, start, close + indent + 2, undefined);
}

/**
 * Where the first closing line (a newline, `indent` spaces, "}") after an entry's "{" at `from`
 * starts, or -1. A closing line followed by another entry ends in "},\n", and nothing else in
 * the frame does (a string holds no raw newline): that pattern is several times quicker to
 * find. It gives the answer when no line ends in "}\n" before it (the last entry of an object,
 * whose end the pattern would jump over) and no object opens ("{\n") on its way: an entry's
 * own lines open none in NixOps' layout, while any entry after an earlier closing line would,
 * and that closing line may end otherwise ("} ,", or Python 2's "}, " in a file that mixes
 * both), which the pattern would jump over too. Where each pattern is next is remembered while
 * asks stay before it (Python 2's separator is "}, \n": the quick pattern is then never found).
 */
export class ClosingLines {
  private readonly more = new NextPlace(THEN_MORE);
  private readonly last = new NextPlace(THEN_END);
  private readonly opens = new NextPlace(OPENS_OBJECT);

  private constructor(private readonly b: Buffer) {}

  private static readonly known = new WeakMap<Buffer, ClosingLines>();

  /** One per file, so that what it remembers serves every object framed in it. */
  static of(b: Buffer): ClosingLines {
    let c = ClosingLines.known.get(b);
    if (!c) ClosingLines.known.set(b, (c = new ClosingLines(b)));
    return c;
  }

  /**
   * A record's closing line found by search is refused when an object opens before it
   * (opensObjectIn); an entry above the records opens objects of its own, and its caller checks
   * it (a deployment: exportFrames.ts frameResources, among its own attributes around its records).
   */
  find(from: number, indent: number): number {
    const b = this.b;
    const brace = this.more.after(b, from);
    const line = brace - indent - 1;
    const quick = brace !== Infinity && line >= from && b[line] === NL && allSpaces(b, line + 1, indent);
    if (quick && this.last.after(b, from) > brace && this.opens.after(b, from + 1) > line) return line;
    const close = b.indexOf(closer(indent), from);
    return close === -1 || indent < RECORD_INDENT || !opensObjectIn(b, from + 1, close) ? close : -1;
  }
}

/** Resource records' indent: entries there hold no objects in NixOps' layout (their values are strings). */
const RECORD_INDENT = 6;

/**
 * An object opens inside b[from, to): `{` and a newline, or an empty one after a key (inside
 * a string a newline is escaped, and a quote before `: {}` too). A record's own lines open
 * none in NixOps' layout, nor a deployment's own attributes; so an entry whose own closing
 * line is out of the frame (another indent, a tab), whose search ran on to a later entry's
 * closing line, holds the opening of the entries it took in, whatever their key lines look
 * like. Those entries the other sides frame apart, and the merge would see one side lose them.
 */
export function opensObjectIn(b: Buffer, from: number, to: number): boolean {
  const bytes = b.subarray(from, to);
  return bytes.indexOf(OPENS_OBJECT) !== -1 || bytes.indexOf(EMPTY_OBJECT_VALUE) !== -1;
}

const EMPTY_OBJECT_VALUE = Buffer.from('": {}');

const THEN_MORE = Buffer.from("},\n");
const OPENS_OBJECT = Buffer.from("{\n");
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

/** afterEntry: the object closes right after the entry. */
export const CLOSED = "closed";

/**
 * What follows an entry that ends at p, in an object whose entries sit at `indent`: the
 * object's closing line (CLOSED; it ends `closer(indent - 2).length` bytes on), or the
 * separator before the next entry (",\n", or Python 2's ", \n"); null when neither is there.
 */
export function afterEntry(b: Buffer, p: number, indent: number): typeof CLOSED | ",\n" | ", \n" | null {
  if (b[p] === NL) {
    const close = closer(indent - 2);
    return b.compare(close, 0, close.length, p, p + close.length) === 0 ? CLOSED : null;
  }
  if (b[p] !== COMMA) return null;
  const sep = b[p + 1] === SPACE ? ", \n" : ",\n";
  return b[p + sep.length - 1] === NL ? sep : null;
}

/** Ours' entry `o` at p in b, if b holds its very bytes there (key line included) and an entry ends there. */
function guidedEntryAt(b: Buffer, p: number, guide: Buffer, o: EntrySpan | undefined): EntrySpan | null {
  if (o === undefined) return null;
  const end = p + (o.end - o.line);
  if (end >= b.length || (b[end] !== COMMA && b[end] !== NL)) return null;
  if (guide.compare(b, p, end, o.line, o.end) !== 0) return null;
  return entrySpan(o.key, p, p + (o.start - o.line), end, o);
}

export interface Guide {
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
  const walk = new ObjectWalk(b, open, indent, guide);
  while (walk.step());
  return walk.frame();
}

/**
 * frameObject one entry at a time (`step`), so that three files can be framed side by side:
 * base's and theirs' deployments checked against ours' while its bytes are still in the
 * processor's cache, instead of ours' 48 MB read from memory once per side. A guide may grow
 * between steps (ours' entries framed so far).
 */
export class ObjectWalk {
  readonly entries: EntrySpan[] = [];
  /** Guide entries before this have keys below the last entry found. */
  cursor = 0;
  private separator: string | null = null;
  /** Where the next entry starts; -1 once the object ended or left the frame. */
  private p: number;
  /** Just after the closing brace; -1 while open or when not in the frame. */
  private end = -1;
  private readonly closing: ClosingLines;

  constructor(
    private readonly b: Buffer,
    open: number,
    private readonly indent: number,
    private readonly guide?: Guide,
  ) {
    this.closing = ClosingLines.of(b);
    this.p = -1;
    if (b[open] !== OPEN_BRACE) return;
    if (b[open + 1] === CLOSE_BRACE) this.end = open + 2;
    else if (b[open + 1] === NL) this.p = open + 2;
  }

  /** Frames the next entry; false once the object has ended (or is not in the frame). */
  step(): boolean {
    const { b, indent, guide } = this;
    const p = this.p;
    if (p === -1) return false;
    let entry = guide ? guidedEntryAt(b, p, guide.buf, guide.entries[this.cursor]) : null;
    if (entry !== null) this.cursor++;
    else {
      entry = entryAt(b, p, indent, this.closing);
      if (entry === null) return this.stop();
      while (guide && this.cursor < guide.entries.length && guide.entries[this.cursor].key <= entry.key) this.cursor++;
    }
    const entries = this.entries;
    const previous = entries[entries.length - 1];
    if (previous !== undefined && !(previous.key < entry.key)) return this.stop();
    entries.push(entry);
    const after = afterEntry(b, entry.end, indent);
    if (after === CLOSED) this.end = entry.end + closer(indent - 2).length;
    if (after === CLOSED || after === null || (this.separator !== null && this.separator !== after)) return this.stop();
    this.separator = after;
    this.p = entry.end + after.length;
    return true;
  }

  /** The object framed, once `step` has returned false; null when it is not in the frame. */
  frame(): ObjectFrame | null {
    return this.end === -1 ? null : { entries: this.entries, separator: this.separator, end: this.end };
  }

  private stop(): false {
    this.p = -1;
    return false;
  }
}
