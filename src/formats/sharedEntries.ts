// What base, ours and theirs hold byte for byte in a NixOps export: whole deployments
// (`  "uuid": {...}`) and, inside deployments all three have, whole resource records
// (`      "name": {...}`). A merge has nothing to decide there, so they are taken out of the
// reading and stand in the merge as ours' own bytes, never parsed or checked: the work of a
// merge follows what changed, not the size of the file. What is shared is read off the frames
// (exportFrames.ts): an entry base and theirs hold with ours' very bytes.

import type { JsonObject, JsonValue, Slot } from "../core/values";
import { LazyRecord } from "./fastRecord";
import type { Span } from "./renderDocument";
import { decodeDeploymentEmbedded, decodeRecordEmbedded } from "./nixopsExport";
import type { ExportFrames, SideFrame } from "./exportFrames";
import { closer, entrySpan, type EntrySpan, type ObjectFrame } from "./entryFrames";
import { COMMA, NL, QUOTE, SPACE } from "./byteCodes";

/**
 * What all three sides share, taken out of the reading: on every side, the deployment or
 * record under such a key (keys are unique in the frame, so that is the one with ours' bytes).
 */
export interface SharedCut {
  /** Deployments all three hold byte for byte, by UUID. */
  deployments: Map<string, SharedEntry>;
  /**
   * Resource records all three hold byte for byte, by deployment UUID then name. A run
   * (SharedRun) is listed under each name it holds; it stands in the merge under its first.
   */
  records: Map<string, Map<string, SharedEntry>>;
}

/**
 * What the three framed files share, or null when they share nothing. In frames with runs,
 * records shared and next to each other on all three sides become one SharedRun (see there).
 */
export function cutSharedEntries(frames: ExportFrames): SharedCut | null {
  const [base, ours, theirs] = frames.sides;
  const deployments = new Map<string, SharedEntry>();
  const records = new Map<string, Map<string, SharedEntry>>();
  for (const o of ours.deployments.entries) {
    if (frames.same.has(o.key)) {
      deployments.set(o.key, new SharedEntry(ours.buf, o, "deployment"));
      continue;
    }
    const rb = base.resources.get(o.key);
    const rt = theirs.resources.get(o.key);
    if (!rb || !rt || !ours.resources.has(o.key)) continue;
    const ro = ours.resources.get(o.key);
    const shared = frames.runs && ro ? sharedRuns(ours.buf, ro, rb.entries, rt.entries) : sharedRecords(ours.buf, rb.entries, rt.entries);
    if (shared.size > 0) records.set(o.key, shared);
  }
  return deployments.size === 0 && records.size === 0 ? null : { deployments, records };
}

/** Ours' records the guide found in base and in theirs with their very bytes (one comparison each). */
function sharedRecords(source: Buffer, inBase: readonly EntrySpan[], inTheirs: readonly EntrySpan[]): Map<string, SharedEntry> {
  const baseHolds = new Set(inBase.map((e) => e.sameAs));
  const shared = new Map<string, SharedEntry>();
  for (const e of inTheirs) {
    const r = e.sameAs;
    if (r && baseHolds.has(r)) shared.set(r.key, new SharedEntry(source, r, "record"));
  }
  return shared;
}

/**
 * As sharedRecords, with each stretch of two or more shared records that follow each other in
 * base, ours and theirs alike (a run the frame already made counts as its records) taken as
 * one SharedRun, listed under the name of each entry of the frame it spans.
 */
function sharedRuns(source: Buffer, oursFrame: ObjectFrame, inBase: readonly EntrySpan[], inTheirs: readonly EntrySpan[]): Map<string, SharedEntry> {
  const ours = oursFrame.entries;
  const where = (entries: readonly EntrySpan[]) => new Map(entries.map((e, i) => [e.sameAs, i]));
  const [b, t] = [where(inBase), where(inTheirs)];
  const shared = new Map<string, SharedEntry>();
  for (let i = 0; i < ours.length; ) {
    const first = ours[i];
    const bi = b.get(first);
    const ti = t.get(first);
    if (bi === undefined || ti === undefined) {
      i++;
      continue;
    }
    let j = i + 1;
    while (j < ours.length && b.get(ours[j]) === bi + (j - i) && t.get(ours[j]) === ti + (j - i)) j++;
    const entry = j - i === 1 && first.records === 1 ? new SharedEntry(source, first, "record") : new SharedRun(source, first, ours[j - 1], oursFrame.separator ?? "");
    for (let k = i; k < j; k++) shared.set(ours[k].key, entry);
    i = j;
  }
  return shared;
}

/**
 * Base, ours and theirs without what the cut took, each still a NixOps export in the same
 * frame (maybe `{}`): for the whole-file reading, when the record-by-record one declines.
 */
export function reducedInputs(frames: ExportFrames, cut: SharedCut): [Buffer, Buffer, Buffer] {
  return frames.sides.map((side) => reduce(side, cut)) as [Buffer, Buffer, Buffer];
}

function reduce(side: SideFrame, cut: SharedCut): Buffer {
  const { buf, deployments } = side;
  const kept = deployments.entries.filter((e) => !cut.deployments.has(e.key));
  if (kept.length === 0) return Buffer.from("{}\n");
  const separator = Buffer.from(deployments.separator ?? ",\n");
  const parts: Buffer[] = [Buffer.from("{\n")];
  kept.forEach((d, k) => {
    if (k > 0) parts.push(separator);
    const resources = side.resources.get(d.key);
    const shared = cut.records.get(d.key);
    const left = resources?.entries.filter((r) => !shared?.has(r.key));
    if (!resources || !left || left.length === resources.entries.length) {
      parts.push(buf.subarray(d.line, d.end));
      return;
    }
    // The deployment up to its resources' "{", the records not shared, and the rest after "}".
    parts.push(buf.subarray(d.line, resources.open + 1));
    if (left.length === 0) parts.push(Buffer.from("}"));
    else {
      const recordSeparator = Buffer.from(resources.separator ?? deployments.separator ?? ",\n");
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
 * sides for each shared deployment or record, each in its side's order (the unique-name rule
 * names deployments in that order, and the merge lists the conflicts of the records around
 * them in the order the sides give).
 */
export function putBackShared(values: Slot[], frames: ExportFrames, cut: SharedCut): void {
  values.forEach((root, i) => {
    if (!(root instanceof Map)) throw new Error("a reduced export is not an object");
    const own = new Map(root);
    root.clear();
    for (const { key } of frames.sides[i].deployments.entries) {
      const value = cut.deployments.get(key) ?? own.get(key);
      if (value === undefined) throw new Error(`${key} is neither shared nor in the reduced export`);
      root.set(key, value);
    }
    for (const [uuid, shared] of cut.records) {
      const resources = (root.get(uuid) as JsonObject | undefined)?.get("resources");
      if (!(resources instanceof Map)) throw new Error(`the reduced deployment ${uuid} has no resources`);
      // Each side's own record order: the merge orders keys it did not sort by the sides' orders.
      const read = new Map(resources);
      resources.clear();
      for (const { key } of frames.sides[i].resources.get(uuid)?.entries ?? []) {
        const record = shared.get(key) ?? read.get(key);
        if (record === undefined) throw new Error(`${key} is neither shared nor in the reduced deployment ${uuid}`);
        if (!(record instanceof SharedEntry) || standsUnder(record, key)) resources.set(key, record);
      }
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
  entryBytes(key: string, indent: number, _itemSeparator: string): Span | undefined {
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

/** Whether the cut's entry listed under `name` stands in the merge there (a run only under its first name). */
export function standsUnder(entry: SharedEntry, name: string): boolean {
  return !(entry instanceof SharedRun) || entry.key === name;
}

/** A SharedRun was looked inside: the merge must be made again without runs. */
export class RunInspected extends Error {
  constructor() {
    super("a run of unchanged records was looked inside");
  }
}

/**
 * Records all three sides hold byte for byte and next to each other, from `first` to `last`
 * of ours: one entry in the merge, under the first one's name, written back as ours' bytes
 * from that name's line to the last one's closing brace. The merge never looks inside a value
 * that is one object on all three sides, so nothing is lost by it; but a run is no record, and
 * anything that looks inside one (a whole-deployment conflict reported by value) throws
 * RunInspected, so that the caller merges again without runs. Only the driver asks for runs.
 */
export class SharedRun extends SharedEntry {
  readonly key: string;

  /** `separator`: what separates its records in ours (",\n" or ", \n"). */
  constructor(
    source: Buffer,
    first: EntrySpan,
    last: EntrySpan,
    private readonly separator: string,
  ) {
    super(source, entrySpan(first.key, first.line, first.start, last.end, undefined), "record");
    this.key = first.key;
  }

  /**
   * Its bytes go out as they are only where the layout separates items as ours separates its
   * records (a file that mixes Python 2's and 3's separators may not): otherwise the merge is
   * made again without runs, and the writer puts the layout's separator between the records.
   */
  override entryBytes(key: string, indent: number, itemSeparator: string): Span | undefined {
    if (this.separator !== itemSeparator + "\n") throw new RunInspected();
    return super.entryBytes(key, indent, itemSeparator);
  }

  /** A run is never written as one record's value. */
  override verbatimParts(): never {
    throw new RunInspected();
  }

  protected override load(): void {
    throw new RunInspected();
  }

  override get text(): string {
    throw new RunInspected();
  }

  override get size(): number {
    throw new RunInspected();
  }
}
