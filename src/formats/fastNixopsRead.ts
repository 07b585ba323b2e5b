// The quick reading of three `nixops export --all` files, for large states where a full parse
// costs more than Git's own line merge. Each file is cut into records by its exact layout
// (fastNixopsIndex.ts); a resource record whose bytes are the same in base, ours and theirs
// becomes one shared LazyRecord that is never parsed and is written back as its own text; so
// does a record only one side changed or created (one side's bytes; where only theirs changed,
// merged line by line with ours, fastTheirsChange.ts); every other record, and each
// deployment's own attributes, is parsed as usual. The values handed to the merge are
// therefore the ones the full parse builds, except that records sides share are one object.
// Anything unusual returns null and takes the full path.

import { isAscii } from "node:buffer";
import { Embedded, type JsonObject, type JsonValue, type Slot } from "../core/values";
import { decodeRecordEmbedded, detectSeparators, nixopsLayout } from "./nixopsExport";
import { JsonParseError, parseJson, type ParsedJson } from "./parseJson";
import type { Layout } from "./renderDocument";
import { indexExport, type DeploymentSpan, type ExportIndex, type RecordSpan } from "./fastNixopsIndex";
import { LazyRecord, scanCanonicalRecord } from "./fastRecord";
import { mergeTheirsChange } from "./fastTheirsChange";
import { inputBytes } from "./inputBytes";
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

interface Side {
  buf: Buffer;
  index: ExportIndex;
}

const recordKey = (uuid: string, name: string) => uuid + "\u0000" + name;

function sameBytes(a: Side, ra: RecordSpan, b: Side, rb: RecordSpan): boolean {
  if (ra.end - ra.start !== rb.end - rb.start) return false;
  return a.buf.compare(b.buf, rb.start, rb.end, ra.start, ra.end) === 0;
}

function side(buf: Buffer, index: ExportIndex | null): Side {
  if (index === null) throw new NotHere();
  return { buf, index };
}

/**
 * The values and layout of three canonical NixOps exports (as the full path would build them),
 * or null when any input is not one (not ASCII, other layout, CRLF, over maxBytes...).
 */
export function readNixopsExports(inputs: { base: Uint8Array | string; ours: Uint8Array | string; theirs: Uint8Array | string }, maxBytes: number): FastRead | null {
  const bufs = [inputBytes(inputs.base), inputBytes(inputs.ours), inputBytes(inputs.theirs)];
  for (const b of bufs) if (b.length > maxBytes || !isAscii(b)) return null;
  // The layout the full path picks from ours (detectSeparators), and no "\r\n" line ends
  // (never in NixOps' layout; the full path keeps them).
  if (bufs[1].includes("\r\n")) return null;
  const oursText = bufs[1].toString("latin1");
  const separator = detectSeparators(oursText) === "py2" ? ", " : ",";
  try {
    const ours = side(bufs[1], indexExport(bufs[1], { text: oursText, separator }));
    if (ours.index.separator !== separator) return null;
    const guide = { buf: bufs[1], deployments: new Map(ours.index.deployments.map((d) => [d.uuid, d])) };
    const sides = [side(bufs[0], indexExport(bufs[0], null, guide)), ours, side(bufs[2], indexExport(bufs[2], null, guide))];
    const knownMerges = new Map<object, KnownMerge>();
    const values = readAll(sides, oursText, separator, knownMerges);
    const layout: Layout = {
      ...nixopsLayout(separator === ", " ? "py2" : "py3", "\n"),
      // A record taken unchanged is written as its input's own bytes, never parsed or copied.
      verbatim: (node) => (node instanceof LazyRecord && node.pristine ? node.parts : undefined),
    };
    return { values, layout, knownMerges };
  } catch (e) {
    if (e instanceof NotHere) return null;
    throw e;
  }
}

/** Base, ours and theirs' value for each record, by its span in any of the three files. */
function recordValues(sides: Side[], oursText: string, separator: string, knownMerges: Map<object, KnownMerge>): Map<RecordSpan, JsonValue[]> {
  const [base, ours, theirs] = sides;
  const valueOf = new Map<RecordSpan, JsonValue[]>();
  // Ours' records that base and theirs hold byte for byte (the index found those).
  const sameIn = (s: Side) => {
    const found = new Set<RecordSpan>();
    for (const d of s.index.deployments) for (const r of d.resources) if (r.sameAs) found.add(r.sameAs);
    return found;
  };
  const inBase = sameIn(base);
  const inTheirs = sameIn(theirs);
  const rest = new Map<string, (RecordSpan | undefined)[]>();
  for (const d of ours.index.deployments) {
    for (const o of d.resources) {
      if (inBase.has(o) && inTheirs.has(o)) {
        // Unchanged on both sides: one value, never parsed when its text is NixOps' own.
        const one: JsonValue =
          o.canonicalSize >= 0
            ? lazyRecord(ours.buf, o)
            : parsedRecord(oursText.slice(o.start, o.end));
        valueOf.set(o, [one, one, one]);
      } else rest.set(recordKey(d.uuid, o.name), [undefined, o, undefined]);
    }
  }
  for (const i of [0, 2]) {
    for (const d of sides[i].index.deployments) {
      for (const r of d.resources) {
        if (r.sameAs && valueOf.has(r.sameAs)) continue;
        const key = recordKey(d.uuid, r.name);
        const spans = rest.get(key) ?? [undefined, undefined, undefined];
        spans[i] = r;
        rest.set(key, spans);
      }
    }
  }
  // Changed somewhere: parse each side, once per distinct text.
  for (const spans of rest.values()) {
    const [b, o, t] = spans;
    // Changed in ours only (base and theirs hold the same bytes, or neither holds the record):
    // the merge takes ours' record whatever it holds (mergeSlot's first rules), so all three
    // sides get ours' record, unparsed. Not the other way round: where theirs alone changed, the
    // merge keeps ours' text of embedded values theirs only re-serialised (keepOursTexts).
    if (o && o.canonicalSize >= 0 && (b && t ? sameBytes(sides[0], b, sides[2], t) : !b && !t)) {
      const one = lazyRecord(ours.buf, o);
      const all = [one, one, one];
      for (const span of spans) if (span) valueOf.set(span, all);
      continue;
    }
    // Created by theirs alone: the merge takes it whatever it holds, so it is theirs' bytes,
    // unparsed, when they are what the writer would print.
    if (t && !o && !b) {
      const text = theirs.buf.toString("latin1", t.start, t.end);
      const scanned = text.length > 2 ? scanCanonicalRecord(text, 0, separator) : null;
      if (scanned !== null && scanned.end === text.length) {
        const created = new LazyRecord([{ source: theirs.buf, start: t.start, end: t.end }], scanned.size, decodeRecordEmbedded);
        valueOf.set(t, [created, created, created]);
        continue;
      }
    }
    // Changed in theirs only (base holds ours' bytes): merged line by line, unparsed.
    if (o && b && t && o.canonicalSize >= 0 && (b.sameAs === o || sameBytes(sides[0], b, sides[1], o))) {
      const change = mergeTheirsChange({ buf: ours.buf, text: oursText, start: o.start, end: o.end }, { buf: theirs.buf, start: t.start, end: t.end }, separator);
      if (change) {
        const mine = lazyRecord(ours.buf, o);
        const theirsRecord = new LazyRecord([{ source: theirs.buf, start: t.start, end: t.end }], change.size, decodeRecordEmbedded);
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
      const same = spans.findIndex((other, j) => j < i && other && (span.sameAs === other || sameBytes(sides[j], other, sides[i], span)));
      const earlier = found.find((v) => v instanceof Map) as JsonObject | undefined;
      found[i] = same >= 0 ? found[same] : parsedRecord(sides[i].buf.toString("latin1", span.start, span.end), earlier);
      valueOf.set(span, found);
    });
  }
  return valueOf;
}

function readAll(sides: Side[], oursText: string, separator: string, knownMerges: Map<object, KnownMerge>): Slot[] {
  const valueOf = recordValues(sides, oursText, separator, knownMerges);
  return sides.map((side, i) => {
    const root: JsonObject = new Map();
    for (const d of side.index.deployments) {
      const deployment = deploymentAttributes(side.buf, d);
      const resources = deployment.get("resources") as JsonObject;
      for (const r of d.resources) {
        const values = valueOf.get(r) ?? (r.sameAs ? valueOf.get(r.sameAs) : undefined);
        resources.set(r.name, (values as JsonValue[])[i]);
      }
      root.set(d.uuid, deployment);
    }
    return root;
  });
}

/** Ours' record `o`, checked canonical, as a record parsed only if something looks inside. */
function lazyRecord(buf: Buffer, o: RecordSpan): LazyRecord {
  return new LazyRecord([{ source: buf, start: o.start, end: o.end }], o.canonicalSize, decodeRecordEmbedded);
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
function deploymentAttributes(buf: Buffer, d: DeploymentSpan): JsonObject {
  const text = buf.toString("latin1", d.start, d.resourcesStart) + "{}" + buf.toString("latin1", d.resourcesEnd, d.end);
  const deployment = parseObject(text);
  const resources = deployment.get("resources");
  if (!(resources instanceof Map) || resources.size !== 0) notHere();
  decodeRecordEmbedded(deployment);
  return deployment;
}
