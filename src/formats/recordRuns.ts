// The driver's framing of a deployment's resource records (exportFrames.ts, `runs`): base and
// theirs are framed against ours' records by comparing growing stretches of ours' bytes, not
// record by record, and records that all three hold byte for byte and next to each other
// become one entry (a run) on every side. So in a deployment where a side deployed one
// machine of thousands, base and theirs cost a few comparisons, and the cut and the reading
// see a few entries, not thousands: the work follows what changed. Ours' records are still
// framed one by one (exportFrames.ts), which checks their keys strictly increasing: a run
// holds no key twice, and no key that sorts among the records around it.

import { COMMA, CLOSE_BRACE, NL, OPEN_BRACE } from "./byteCodes";
import { afterEntry, CLOSED, ClosingLines, closer, entryAt, entrySpan, type EntrySpan, type ObjectFrame } from "./entryFrames";

/** Records sit at this indent inside `    "resources": {`. */
const INDENT = 6;

/**
 * The most records one comparison takes: a stretch that ends in a change is compared again in
 * halves, so an unbounded one would compare a deployment of thousands of records several times
 * over; at this many, every byte is compared about once.
 */
const MAX_STEP = 64;

/** Ours' records `first` to `last` (indexes into ours' frame), held byte for byte at `at` on another side. */
class OursRecords {
  constructor(
    readonly first: number,
    readonly last: number,
    readonly at: number,
  ) {}
}

/** A side's resources object against ours: stretches of ours' records, and its own records between them. */
export interface SidePieces {
  pieces: (OursRecords | EntrySpan)[];
  separator: string | null;
  end: number;
}

/**
 * How many of ours' records from `c` on `b` holds at `p`, byte for byte (with the separators
 * between them), ending where an entry ends in `b`. The stretch compared doubles while it is
 * the same and halves where it is not, and each comparison covers only bytes not yet compared.
 */
function heldFrom(b: Buffer, p: number, ours: Buffer, oe: readonly EntrySpan[], c: number): number {
  const n = oe.length;
  if (c >= n) return 0;
  const shift = p - oe[c].line;
  let k = 0;
  let step = 1;
  while (c + k < n) {
    const t = Math.min(step, n - c - k);
    const from = k === 0 ? oe[c].line : oe[c + k - 1].end;
    const to = oe[c + k + t - 1].end;
    if (to + shift <= b.length && ours.compare(b, from + shift, to + shift, from, to) === 0) {
      k += t;
      step = Math.min(step * 2, MAX_STEP);
    } else if (t === 1) break;
    else step = t >> 1;
  }
  while (k > 0) {
    const after = b[oe[c + k - 1].end + shift];
    if (after === COMMA || after === NL) break;
    k--;
  }
  return k;
}

/**
 * The side's resources object whose "{" is at `open`, in the same frame as ours' (records on
 * their own lines at 6 spaces, keys strictly increasing, one separator), as stretches of ours'
 * records it holds and its own records (framed by search); null when it is not in the frame.
 */
export function piecesAgainstOurs(b: Buffer, open: number, ours: Buffer, oursFrame: ObjectFrame): SidePieces | null {
  if (b[open] !== OPEN_BRACE) return null;
  if (b[open + 1] === CLOSE_BRACE) return { pieces: [], separator: null, end: open + 2 };
  if (b[open + 1] !== NL) return null;
  const oe = oursFrame.entries;
  const closing = ClosingLines.of(b);
  const pieces: (OursRecords | EntrySpan)[] = [];
  let separator: string | null = null;
  let lastKey: string | null = null;
  let p = open + 2;
  let c = 0;
  for (;;) {
    let k = heldFrom(b, p, ours, oe, c);
    let own: EntrySpan | null = null;
    if (k === 0) {
      own = entryAt(b, p, INDENT, closing);
      if (own === null) return null;
      const before = c;
      while (c < oe.length && oe[c].key < own.key) c++;
      // Ours' next record, after records only ours holds: a stretch again from here.
      if (c !== before && c < oe.length && oe[c].key === own.key) k = heldFrom(b, p, ours, oe, c);
      if (k > 0) own = null;
      else if (c < oe.length && oe[c].key === own.key) c++;
    }
    const first = own === null ? oe[c].key : own.key;
    if (lastKey !== null && !(lastKey < first)) return null;
    if (own === null) {
      pieces.push(new OursRecords(c, c + k - 1, p));
      p += oe[c + k - 1].end - oe[c].line;
      lastKey = oe[c + k - 1].key;
      // Inside the stretch, ours' separator.
      if (k > 1) {
        if (separator !== null && separator !== oursFrame.separator) return null;
        separator = oursFrame.separator;
      }
      c += k;
    } else {
      pieces.push(own);
      p = own.end;
      lastKey = own.key;
    }
    const after = afterEntry(b, p, INDENT);
    if (after === CLOSED) return { pieces, separator, end: p + closer(INDENT - 2).length };
    if (after === null || (separator !== null && separator !== after)) return null;
    separator = after;
    p += after.length;
  }
}

/** Ours' records both sides hold, as [first, last] inside one stretch of each side. */
function sharedStretches(a: OursRecords[], b: OursRecords[]): [number, number][] {
  const shared: [number, number][] = [];
  for (let i = 0, j = 0; i < a.length && j < b.length; ) {
    const lo = Math.max(a[i].first, b[j].first);
    const hi = Math.min(a[i].last, b[j].last);
    if (lo <= hi) shared.push([lo, hi]);
    if (a[i].last < b[j].last) i++;
    else j++;
  }
  return shared;
}

const stretchesOf = (side: SidePieces) => side.pieces.filter((p): p is OursRecords => p instanceof OursRecords);

/** Ours' entries with each shared stretch of two or more records as one run; `firsts`: each entry's first record's index. */
function oursEntries(oe: readonly EntrySpan[], shared: [number, number][]): { entries: EntrySpan[]; firsts: number[] } {
  const entries: EntrySpan[] = [];
  const firsts: number[] = [];
  let x = 0;
  const one = () => {
    firsts.push(x);
    entries.push(oe[x++]);
  };
  for (const [lo, hi] of shared) {
    while (x < lo) one();
    if (lo === hi) one();
    else {
      firsts.push(lo);
      entries.push(entrySpan(oe[lo].key, oe[lo].line, oe[lo].start, oe[hi].end, undefined, hi - lo + 1, oe[hi].key));
      x = hi + 1;
    }
  }
  while (x < oe.length) one();
  return { entries, firsts };
}

/** A side's entries: its own records, and where it holds ours' bytes, one entry per ours' entry there (linked by sameAs). */
function sideEntries(side: SidePieces, oe: readonly EntrySpan[], ours: { entries: EntrySpan[]; firsts: number[] }): ObjectFrame {
  const entries: EntrySpan[] = [];
  let j = 0;
  for (const piece of side.pieces) {
    if (!(piece instanceof OursRecords)) {
      entries.push(piece);
      continue;
    }
    while (ours.firsts[j] < piece.first) j++;
    for (; j < ours.entries.length && ours.firsts[j] <= piece.last; j++) {
      const o = ours.entries[j];
      // Ours' runs lie inside one stretch of each side (sharedStretches): anything else is a bug here.
      if (ours.firsts[j] + o.records - 1 > piece.last) throw new Error(`a run of ours' records from ${o.key} leaves a side's stretch`);
      const at = piece.at + (o.line - oe[piece.first].line);
      entries.push(entrySpan(o.key, at, at + (o.start - o.line), at + (o.end - o.line), o, o.records, o.last));
    }
  }
  return { entries, separator: side.separator, end: side.end };
}

/**
 * Ours', base's and theirs' frames of one resources object, where records all three hold byte
 * for byte next to each other are one entry (`records` > 1) on every side. Base or theirs
 * null: that side has no such object in the frame, and nothing is a run.
 */
export function framesWithRuns(oursFrame: ObjectFrame, base: SidePieces | null, theirs: SidePieces | null): { ours: ObjectFrame; base: ObjectFrame | null; theirs: ObjectFrame | null } {
  const oe = oursFrame.entries;
  const shared = base && theirs ? sharedStretches(stretchesOf(base), stretchesOf(theirs)) : [];
  const ours = oursEntries(oe, shared);
  return {
    ours: { ...oursFrame, entries: ours.entries },
    base: base && sideEntries(base, oe, ours),
    theirs: theirs && sideEntries(theirs, oe, ours),
  };
}
