// The quick reading of three `nixops export --all` files, for large states where a full parse
// costs more than Git's own line merge. It reads off the frames (exportFrames.ts): what the cut
// took (sharedEntries.ts) stands in as one SharedEntry on all three sides; a resource record
// whose bytes are the same in base, ours and theirs becomes one LazyRecord that is never parsed
// and is written back as its own text; so does a record only one side changed or created (one
// side's bytes; where only theirs changed, merged line by line with ours, fastTheirsChange.ts);
// every other record, and each deployment's own attributes, is parsed as usual. The values
// handed to the merge are therefore the ones the full parse builds, except that records sides
// share are one object. Anything unusual returns null and takes the full path.

import { isAscii } from "node:buffer";
import { Embedded, type JsonObject, type JsonValue, type Slot } from "../core/values";
import { decodeRecordEmbedded, nixopsLayout } from "./nixopsExport";
import { JsonParseError, parseJson, type ParsedJson } from "./parseJson";
import type { Layout } from "./renderDocument";
import { sameBytes, type ExportFrames, type ResourcesFrame, type SideFrame } from "./exportFrames";
import type { EntrySpan } from "./entryFrames";
import { SharedEntry, standsUnder, type SharedCut } from "./sharedEntries";
import { canonicalBeside, canonicalRecordSize, LazyRecord } from "./fastRecord";
import { mergeTheirsChange } from "./fastTheirsChange";
import type { KnownMerge } from "../core/policy";

export interface FastRead {
  /** Base, ours, theirs, as the full parse and decodeEmbedded would give them. */
  values: Slot[];
  layout: Layout;
  /** Records only theirs changed, merged already (by theirs' value; see fastTheirsChange.ts). */
  knownMerges: Map<object, KnownMerge>;
}

class NotHere extends Error {}
const notHere = (): never => {
  throw new NotHere();
};

/** Parses JSON text the way the full path does; bad JSON and duplicate keys are for the full path to report. */
function parseObject(text: string): JsonObject {
  let parsed: ParsedJson;
  try {
    parsed = parseJson(text);
  } catch (e) {
    if (e instanceof JsonParseError) notHere();
    throw e;
  }
  if (parsed.duplicates.length > 0 || !(parsed.value instanceof Map)) notHere();
  return parsed.value as JsonObject;
}

/**
 * Bytes the reading parses or copies: ASCII (its texts are latin1 views), no NUL (binary,
 * which the full path refuses), and in ours no "\r\n" (never in NixOps' layout; the full path
 * keeps it).
 */
function checkBytes(buf: Buffer, start: number, end: number, ours: boolean): void {
  const bytes = buf.subarray(start, end);
  if (!isAscii(bytes) || bytes.includes(0) || (ours && bytes.includes("\r\n"))) notHere();
}

/** A side's deployment to read: its entry and its records (those the cut did not take). */
interface Kept {
  entry: EntrySpan;
  resources: ResourcesFrame;
  records: EntrySpan[];
}

/** The entries of one side the reading looks at, its bytes checked. */
function keptEntries(side: SideFrame, cut: SharedCut | null, ours: boolean): Kept[] {
  const kept: Kept[] = [];
  for (const entry of side.deployments.entries) {
    if (cut?.deployments.has(entry.key)) continue;
    const resources = side.resources.get(entry.key) ?? notHere();
    const shared = cut?.records.get(entry.key);
    const records = shared ? resources.entries.filter((r) => !shared.has(r.key)) : resources.entries;
    checkBytes(side.buf, entry.start, resources.open, ours);
    checkBytes(side.buf, resources.end, entry.end, ours);
    for (const r of records) checkBytes(side.buf, r.start, r.end, ours);
    kept.push({ entry, resources, records });
  }
  return kept;
}

/**
 * The separator between items at line ends that ours' read parts all use: ",\n" (Python 3) or
 * ", \n" (Python 2), which is what the whole-file reading of the same parts votes for. When
 * they use both or neither, the reading declines and the whole-file reading decides.
 */
function oursSeparator(ours: SideFrame, oursKept: Kept[]): string {
  const seen = new Set<string>();
  const see = (separator: string | null) => separator !== null && seen.add(separator);
  const seeIn = (start: number, end: number) => {
    const bytes = ours.buf.subarray(start, end);
    for (const separator of SEPARATORS) if (bytes.includes(separator)) seen.add(separator);
  };
  see(ours.deployments.separator);
  for (const { entry, resources } of oursKept) {
    see(resources.separator);
    seeIn(entry.start, resources.open);
    seeIn(resources.end, entry.end);
  }
  if (seen.size !== 1) notHere();
  return [...seen][0];
}

const SEPARATORS = [",\n", ", \n"];

/**
 * The values and layout of three framed NixOps exports (as the full path would build them),
 * with what the cut took standing in as shared entries; null when the reading does not apply
 * (bytes it does not take, a record or attribute written twice, text it cannot parse, or
 * separators other than `itemSeparator`, what the whole files vote for).
 */
export function readFramedExports(frames: ExportFrames, cut: SharedCut | null, itemSeparator?: string): FastRead | null {
  try {
    const kept = frames.sides.map((side, i) => keptEntries(side, cut, i === 1));
    const separator = oursSeparator(frames.sides[1], kept[1]).slice(0, -1);
    // The whole files' vote decides the layout: what the cut left may vote otherwise.
    if (itemSeparator !== undefined && separator !== itemSeparator) notHere();
    const knownMerges = new Map<object, KnownMerge>();
    const valueOf = recordValues(frames.sides, kept, separator, knownMerges);
    const values = frames.sides.map((side, i) => readSide(side, i, kept[i], cut, valueOf));
    const layout: Layout = {
      ...nixopsLayout(separator === ", " ? "py2" : "py3", "\n"),
      // A record or deployment taken unchanged is written as its input's own bytes, never parsed or copied.
      verbatim: (node) => (node instanceof LazyRecord ? node.verbatimParts() : undefined),
      verbatimEntry: (key, node, indent) => (node instanceof SharedEntry && node.pristine ? node.entryBytes(key, indent, separator) : undefined),
    };
    return { values, layout, knownMerges };
  } catch (e) {
    if (e instanceof NotHere) return null;
    throw e;
  }
}

/** Ours' record text, and its number of attributes when it is exactly what the writer prints (else -1). */
interface OursRecord {
  text: string;
  canonicalSize: number;
}

/** Base, ours and theirs' value for each record read, by its span in any of the three files. */
function recordValues(sides: SideFrame[], kept: Kept[][], separator: string, knownMerges: Map<object, KnownMerge>): Map<EntrySpan, JsonValue[]> {
  const [base, ours, theirs] = sides;
  const valueOf = new Map<EntrySpan, JsonValue[]>();
  const oursRecords = new Map<EntrySpan, OursRecord>();
  const oursRecord = (o: EntrySpan): OursRecord => {
    let r = oursRecords.get(o);
    if (r === undefined) {
      const text = ours.buf.toString("latin1", o.start, o.end);
      const canonicalSize = writersSize(text, separator);
      // A record the writer would not print so is parsed: its separators, too, must be ours' own.
      if (canonicalSize < 0 && text.includes(separator === "," ? ", \n" : ",\n")) notHere();
      oursRecords.set(o, (r = { text, canonicalSize }));
    }
    return r;
  };
  // Ours' records that base and theirs hold byte for byte (the guide found those).
  const sameIn = (k: Kept[]) => {
    const found = new Set<EntrySpan>();
    for (const d of k) for (const r of d.records) if (r.sameAs) found.add(r.sameAs);
    return found;
  };
  const inBase = sameIn(kept[0]);
  const inTheirs = sameIn(kept[2]);
  const rest = new Map<string, (EntrySpan | undefined)[]>();
  for (const d of kept[1]) {
    for (const o of d.records) {
      if (inBase.has(o) && inTheirs.has(o)) {
        // Unchanged on both sides: one value, never parsed when its text is NixOps' own.
        const own = oursRecord(o);
        const one: JsonValue = own.canonicalSize >= 0 ? lazyRecord(ours.buf, o, own.canonicalSize) : parsedRecord(own.text);
        valueOf.set(o, [one, one, one]);
      } else rest.set(recordKey(d.entry.key, o.key), [undefined, o, undefined]);
    }
  }
  for (const i of [0, 2]) {
    for (const d of kept[i]) {
      for (const r of d.records) {
        if (r.sameAs && valueOf.has(r.sameAs)) continue;
        const key = recordKey(d.entry.key, r.key);
        const spans = rest.get(key) ?? [undefined, undefined, undefined];
        spans[i] = r;
        rest.set(key, spans);
      }
    }
  }
  // Changed somewhere: parse each side, once per distinct text.
  for (const spans of rest.values()) {
    const [b, o, t] = spans;
    const own = o && oursRecord(o);
    // Changed in ours only (base and theirs hold the same bytes, or neither holds the record):
    // the merge takes ours' record whatever it holds (mergeSlot's first rules), so all three
    // sides get ours' record, unparsed. Not the other way round: where theirs alone changed, the
    // merge keeps ours' text of embedded values theirs only re-serialised (keepOursTexts).
    // Base's text must be the writer's too: else it is parsed below, as the whole-file reading
    // reads it (a key written twice, or a conflict marker, is for that reading to report).
    if (o && own && own.canonicalSize >= 0 && (b && t ? sameBytes(base.buf, b, theirs.buf, t) && canonicalBeside(base.buf.toString("latin1", b.start, b.end), own.text, separator) : !b && !t)) {
      const one = lazyRecord(ours.buf, o, own.canonicalSize);
      const all = [one, one, one];
      for (const span of spans) if (span) valueOf.set(span, all);
      continue;
    }
    // Created by theirs alone: the merge takes it whatever it holds, so it is theirs' bytes,
    // unparsed, when they are what the writer would print.
    if (t && !o && !b) {
      const text = theirs.buf.toString("latin1", t.start, t.end);
      const size = canonicalRecordSize(text, separator);
      if (size !== null) {
        const created = lazyRecord(theirs.buf, t, size);
        valueOf.set(t, [created, created, created]);
        continue;
      }
    }
    // Changed in theirs only (base holds ours' bytes): merged line by line, unparsed.
    if (o && own && b && t && own.canonicalSize >= 0 && (b.sameAs === o || sameBytes(base.buf, b, ours.buf, o))) {
      const change = mergeTheirsChange({ buf: ours.buf, text: own.text, start: o.start }, { buf: theirs.buf, start: t.start, end: t.end }, separator);
      if (change) {
        const mine = lazyRecord(ours.buf, o, own.canonicalSize);
        const theirsRecord = lazyRecord(theirs.buf, t, change.size);
        const merged = change.equal ? mine : new LazyRecord(change.parts, change.size, decodeRecordEmbedded);
        knownMerges.set(theirsRecord, { ours: mine, merged });
        const all = [mine, mine, theirsRecord];
        for (const span of spans) if (span) valueOf.set(span, all);
        continue;
      }
    }
    const found: JsonValue[] = [];
    spans.forEach((span, i) => {
      if (!span) return;
      const same = spans.findIndex((other, j) => j < i && other && (span.sameAs === other || sameBytes(sides[j].buf, other, sides[i].buf, span)));
      const earlier = found.find((v) => v instanceof Map) as JsonObject | undefined;
      const text = i === 1 ? (own as OursRecord).text : sides[i].buf.toString("latin1", span.start, span.end);
      found[i] = same >= 0 ? found[same] : parsedRecord(text, earlier);
      valueOf.set(span, found);
    });
  }
  return valueOf;
}

const recordKey = (uuid: string, name: string) => uuid + "\u0000" + name;

/** A record's number of attributes when its text is exactly what the NixOps writer prints with this separator (`{}` for none), else -1. */
function writersSize(text: string, separator: string): number {
  return canonicalRecordSize(text, separator) ?? (text === "{}" ? 0 : -1);
}

/** One side's document: its deployments in its order, the cut's shared entries where it took them. */
function readSide(side: SideFrame, i: number, kept: Kept[], cut: SharedCut | null, valueOf: Map<EntrySpan, JsonValue[]>): JsonObject {
  const root: JsonObject = new Map();
  const byEntry = new Map(kept.map((k) => [k.entry, k]));
  for (const entry of side.deployments.entries) {
    const k = byEntry.get(entry);
    if (k === undefined) {
      root.set(entry.key, cut?.deployments.get(entry.key) ?? notHere());
      continue;
    }
    const deployment = deploymentAttributes(side.buf, k);
    const resources = deployment.get("resources") as JsonObject;
    const shared = cut?.records.get(entry.key);
    for (const r of k.resources.entries) {
      const taken = shared?.get(r.key);
      if (taken !== undefined && !standsUnder(taken, r.key)) continue; // inside a run, which stands under its first name
      const values = taken ? undefined : (valueOf.get(r) ?? (r.sameAs ? valueOf.get(r.sameAs) : undefined));
      resources.set(r.key, taken ?? (values as JsonValue[])[i]);
    }
    root.set(entry.key, deployment);
  }
  return root;
}

/** A side's record `r`, checked canonical, as a record parsed only if something looks inside. */
function lazyRecord(buf: Buffer, r: EntrySpan, size: number): LazyRecord {
  return new LazyRecord([{ source: buf, start: r.start, end: r.end }], size, decodeRecordEmbedded);
}

/**
 * A record parsed and its embedded JSON decoded. An attribute whose text is the same as in
 * `earlier` (another side's version of the record) takes that side's decoded value: equal
 * text, equal value, and a deploy usually rewrites only a few attributes of a machine.
 */
function parsedRecord(text: string, earlier?: JsonObject): JsonObject {
  const record = parseObject(text);
  if (earlier) {
    for (const [key, v] of record) {
      const before = earlier.get(key);
      if (before instanceof Embedded && before.text === v) record.set(key, before);
    }
  }
  decodeRecordEmbedded(record);
  return record;
}

/** A deployment's attributes, parsed with an empty `resources` object in place of its records. */
function deploymentAttributes(buf: Buffer, { entry, resources: r }: Kept): JsonObject {
  const text = buf.toString("latin1", entry.start, r.open) + "{}" + buf.toString("latin1", r.end, entry.end);
  const deployment = parseObject(text);
  const resources = deployment.get("resources");
  if (!(resources instanceof Map) || resources.size !== 0) notHere();
  decodeRecordEmbedded(deployment);
  return deployment;
}
