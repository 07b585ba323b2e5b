// The one framing of three `nixops export --all` files: where each deployment (`  "uuid": {`)
// and, in every deployment whose bytes are not the same on all three sides, each resource
// record (`      "name": {`) starts and ends. Found with native searches and comparisons only
// (each entry's closing line; in base and theirs, one comparison with ours' entry, or for the
// driver, with a stretch of ours' records: recordRuns.ts), so that the cut (sharedEntries.ts)
// and the record-by-record reading (fastNixopsRead.ts) look inside only what changed.
// Anything outside the exact frame NixOps prints (2-space indent, keys in strictly increasing
// order, "\n" line ends) is not framed: the file is then read whole.

import { CR, NL } from "./byteCodes";
import { frameObject, ObjectWalk, opensObjectIn, type EntrySpan, type ObjectFrame } from "./entryFrames";
import { framesWithRuns, piecesAgainstOurs } from "./recordRuns";

/** Files framed: positions below this fit V8's small integers (see entrySpan). */
const MAX_FRAMED_BYTES = 2 ** 30 - 1;

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
   * By UUID, the records of each deployment whose bytes are not the same on all three sides
   * (every one of those is framed, or the files are not); a deployment missing here is one
   * all three hold byte for byte, unless frameSame.
   */
  resources: Map<string, ResourcesFrame>;
}

export interface ExportFrames {
  /** Base, ours, theirs. */
  sides: [SideFrame, SideFrame, SideFrame];
  /** The deployments all three hold byte for byte, key line included (their records are not framed). */
  same: Set<string>;
  /** Framed with runs of records (FramingOptions.runs): an entry may span several records. */
  runs: boolean;
}

const RESOURCES_LINE = Buffer.from('\n    "resources": {');
/**
 * The deployments of the three exports (base, ours, theirs): each file's top-level object,
 * closed by "}" and one newline at its end; null when a file is not so. Framed side by side:
 * as soon as ours' next deployment is found, base and theirs are framed as far as it guides
 * them, while its bytes are still in the processor's cache (ours' 48 MB are then read from
 * memory once instead of three times: about 2 ms of 12 at 48 MB).
 */
function frameTopLevels(base: Buffer, ours: Buffer, theirs: Buffer): [ObjectFrame, ObjectFrame, ObjectFrame] | null {
  const bufs = [base, ours, theirs];
  if (bufs.some((b) => b.length < 4 || b[1] !== NL)) return null;
  // A deployment that took in the next one is looked for only where the three files differ (frameResources).
  const o = new ObjectWalk(ours, 0, 2);
  const guide = { buf: ours, entries: o.entries };
  const others = [new ObjectWalk(base, 0, 2, guide), new ObjectWalk(theirs, 0, 2, guide)];
  for (let more = true; more; ) {
    more = o.step();
    for (const w of others) while (w.cursor < o.entries.length && w.step());
  }
  if (o.frame() === null) return null;
  for (const w of others) while (w.step());
  const frames = [others[0].frame(), o.frame(), others[1].frame()];
  for (const [i, f] of frames.entries()) if (f === null || f.end !== bufs[i].length - 1 || bufs[i][f.end] !== NL) return null;
  return frames as [ObjectFrame, ObjectFrame, ObjectFrame];
}

/** A deployment the three files do not share whose frame cannot be trusted: the files are read whole (frameExports). */
class NotFramed extends Error {}

/**
 * A deployment's resource records (its `    "resources": {` object) as `frame` finds them from
 * its "{"; NotFramed when they are not in the frame, or when the deployment took in the next
 * one: its closing line out of the frame (another indent, a tab), it was framed up to the next
 * one's, and that one opens among its own attributes, before or after its records, where no
 * object opens otherwise (a few hundred bytes searched).
 */
function frameResources<T extends { end: number }>(b: Buffer, d: EntrySpan, frame: (open: number) => T | null): T & { open: number } {
  const at = b.subarray(d.start, d.end).indexOf(RESOURCES_LINE);
  if (at === -1) throw new NotFramed();
  const open = d.start + at + RESOURCES_LINE.length - 1;
  const framed = frame(open);
  if (framed === null || framed.end > d.end || opensObjectIn(b, d.start + 1, open) || opensObjectIn(b, framed.end, d.end)) throw new NotFramed();
  return { ...framed, open: open | 0 };
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

/** How to frame three exports. */
export interface FramingOptions {
  /** Also frame the records of deployments all three hold byte for byte (a reading that takes nothing out needs them). */
  frameSame?: boolean;
  /** Take records all three hold byte for byte and next to each other as one entry (recordRuns.ts): the driver's cut. */
  runs?: boolean;
}

/**
 * Base, ours and theirs framed, or null when a file is not in the frame at the top (then it
 * is read whole). Ours is framed by searching; base and theirs with ours as the guide.
 */
export function frameExports(base: Buffer, ours: Buffer, theirs: Buffer, options: FramingOptions = {}): ExportFrames | null {
  const { frameSame = false, runs = false } = options;
  if (Math.max(base.length, ours.length, theirs.length) > MAX_FRAMED_BYTES) return null;
  // A carriage return anywhere in ours (never in NixOps' layout) makes the whole file's line
  // ends CRLF, which only the whole-file reading decides: framed, the parts all three share
  // would keep theirs while the rest were written with "\n". One search, as fast as memory.
  if (ours.includes(CR)) return null;
  try {
    return frameSides(base, ours, theirs, frameSame, runs);
  } catch (e) {
    if (e instanceof NotFramed) return null;
    throw e;
  }
}

/** frameExports past its checks of the whole files; throws NotFramed. */
function frameSides(base: Buffer, ours: Buffer, theirs: Buffer, frameSame: boolean, runs: boolean): ExportFrames | null {
  const top = frameTopLevels(base, ours, theirs);
  if (top === null) return null;
  const [fb, fo, ft] = top;
  const sides: [SideFrame, SideFrame, SideFrame] = [sideFrame(base, fb), sideFrame(ours, fo), sideFrame(theirs, ft)];
  const same = new Set<string>();
  for (const o of fo.entries) {
    const b = sides[0].byKey.get(o.key);
    const t = sides[2].byKey.get(o.key);
    if (b && t && sameBytes(ours, o, base, b) && sameBytes(ours, o, theirs, t)) {
      // A top-level entry without resources: not a NixOps export (the profile table reads it as JSON).
      if (!frameSame && !holdsResources(ours, o)) return null;
      same.add(o.key);
      // Written as the bytes all three hold: a deployment taken in with it stays there too.
      if (!frameSame) continue;
    }
    const ro = frameResources(ours, o, (open) => frameObject(ours, open, 6));
    if (runs) {
      const [pb, pt] = [b, t].map((e, i) => e && frameResources(sides[2 * i].buf, e, (open) => piecesAgainstOurs(sides[2 * i].buf, open, ours, ro)));
      const framed = framesWithRuns(ro, pb ?? null, pt ?? null);
      sides[1].resources.set(o.key, { ...framed.ours, open: ro.open });
      if (b && pb && framed.base) sides[0].resources.set(b.key, { ...framed.base, open: pb.open });
      if (t && pt && framed.theirs) sides[2].resources.set(t.key, { ...framed.theirs, open: pt.open });
      continue;
    }
    sides[1].resources.set(o.key, ro);
    for (const [side, e] of [[sides[0], b] as const, [sides[2], t] as const]) {
      if (e) side.resources.set(e.key, frameResources(side.buf, e, (open) => frameObject(side.buf, open, 6, { buf: ours, entries: ro.entries })));
    }
  }
  // Deployments ours does not hold (created by one side, or deleted by ours).
  for (const side of [sides[0], sides[2]]) {
    for (const e of side.deployments.entries) {
      if (!sides[1].byKey.has(e.key)) side.resources.set(e.key, frameResources(side.buf, e, (open) => frameObject(side.buf, open, 6)));
    }
  }
  return { sides, same, runs };
}
