// Finds the records of a `nixops export --all` file without parsing it: where each deployment,
// its `resources` object and each resource's `{...}` text start and end. It accepts only the
// exact layout NixOps prints (2-space indent, one item per line, keys in order, no duplicates,
// "\n" line ends) and says null to anything else, which then takes the full parse. What it
// does not check (attribute values inside records) is parsed or validated by the caller.
//
// Two helps make it quick on large files: ours' records are checked line by line against
// what the writer would print (which also finds their ends), and in base and theirs a record
// whose bytes are ours' record is recognised by one comparison, without looking inside.

import { scanCanonicalRecord } from "./fastRecord";
import { BACKSLASH, CLOSE_BRACE, COMMA, NL, OPEN_BRACE, QUOTE, SPACE } from "./byteCodes";

export interface RecordSpan {
  name: string;
  /** Start of the line `      "name": {`. */
  line: number;
  /** [start, end): the record's value text, from "{" to "}". */
  start: number;
  end: number;
  /** Attributes, when the text is exactly what the NixOps writer prints (ours only); else -1. */
  canonicalSize: number;
  /** Base and theirs: ours' record with the very same bytes, name line included. */
  sameAs?: RecordSpan;
}

export interface DeploymentSpan {
  uuid: string;
  /** [start, end): the deployment's value text, from "{" to "}". */
  start: number;
  end: number;
  /** [start, end): the value text of its "resources" object. */
  resourcesStart: number;
  resourcesEnd: number;
  resources: RecordSpan[];
}

export interface ExportIndex {
  deployments: DeploymentSpan[];
  /** The item separator this file uses at line ends (Python 3 "," or Python 2 ", "), if any. */
  separator: "," | ", " | null;
}

/** Ours, already indexed, to recognise unchanged records in base and theirs by their bytes. */
export interface IndexGuide {
  buf: Buffer;
  deployments: Map<string, DeploymentSpan>;
}

const RECORD_END = Buffer.from("\n      }");
const KEY_OPENS_OBJECT = Buffer.from('": {');
const RESOURCES_LINE = Buffer.from('    "resources": {');

class Bail extends Error {}
const bail = (): never => {
  throw new Bail();
};

/** Keys written as they read (what NixOps' names are): no escapes, no control characters. */
function plainKey(key: string): string {
  if (!/^[ !#-\[\]-~]*$/.test(key)) bail();
  return key;
}

function keyAfter(previous: string | null, key: string): void {
  // Strictly increasing keys: NixOps' sorted order, and no key twice.
  if (previous !== null && !(previous < key)) bail();
}

class Scanner {
  separator: "," | ", " | null = null;

  constructor(
    private readonly b: Buffer,
    /** Ours as text, to check its records (ours only). */
    private readonly text: string | undefined,
    private readonly oursSeparator: string,
    private readonly guide: IndexGuide | undefined,
  ) {}

  /** `indent` spaces then a quote at p. */
  expectKeyStart(p: number, indent: number): void {
    const b = this.b;
    for (let i = 0; i < indent; i++) if (b[p + i] !== SPACE) bail();
    if (b[p + indent] !== QUOTE) bail();
  }

  /** A plain key ending at the next `": {`; returns [key, position of "{"]. */
  objectKey(p: number): [string, number] {
    const end = this.b.indexOf(KEY_OPENS_OBJECT, p);
    if (end === -1) bail();
    return [plainKey(this.b.toString("latin1", p, end)), end + 3];
  }

  /** After a value ending at p: the separator and newline (true, more items) or a newline (false). */
  itemEnd(p: number): [boolean, number] {
    const b = this.b;
    if (b[p] === NL) return [false, p + 1];
    if (b[p] !== COMMA) bail();
    const sep = b[p + 1] === SPACE ? ", " : ",";
    if (this.separator === null) this.separator = sep;
    else if (this.separator !== sep) bail();
    const after = p + sep.length;
    if (b[after] !== NL) bail();
    return [true, after + 1];
  }

  /** `indent` spaces and the closing brace at p; returns the position after it. */
  closer(p: number, indent: number): number {
    const b = this.b;
    for (let i = 0; i < indent; i++) if (b[p + i] !== SPACE) bail();
    if (b[p + indent] !== CLOSE_BRACE) bail();
    return p + indent + 1;
  }

  /** The record whose line starts at p, if its bytes (name line included) are ours' record's. */
  private sameAsGuide(p: number, candidate: RecordSpan | undefined): RecordSpan | null {
    if (!candidate || !this.guide) return null;
    const length = candidate.end - candidate.line;
    const end = p + length;
    if (end >= this.b.length || (this.b[end] !== COMMA && this.b[end] !== NL)) return null;
    if (this.guide.buf.compare(this.b, p, end, candidate.line, candidate.end) !== 0) return null;
    return { name: candidate.name, line: p, start: p + (candidate.start - candidate.line), end, canonicalSize: -1, sameAs: candidate };
  }

  resources(open: number, uuid: string): { end: number; records: RecordSpan[] } {
    const b = this.b;
    const records: RecordSpan[] = [];
    if (b[open + 1] === CLOSE_BRACE) return { end: open + 2, records };
    if (b[open + 1] !== NL) bail();
    const guided = this.guide?.deployments.get(uuid)?.resources ?? [];
    let cursor = 0;
    let p = open + 2;
    let previous: string | null = null;
    for (;;) {
      let record = this.sameAsGuide(p, guided[cursor]);
      if (record) cursor++;
      else {
        record = this.readRecord(p);
        while (cursor < guided.length && guided[cursor].name <= record.name) cursor++;
      }
      keyAfter(previous, record.name);
      previous = record.name;
      records.push(record);
      const [more, next] = this.itemEnd(record.end);
      p = next;
      if (!more) return { end: this.closer(p, 4), records };
    }
  }

  private readRecord(line: number): RecordSpan {
    const b = this.b;
    this.expectKeyStart(line, 6);
    const [name, start] = this.objectKey(line + 7);
    if (b[start + 1] === CLOSE_BRACE) return { name, line, start, end: start + 2, canonicalSize: 0 };
    if (b[start + 1] !== NL) bail();
    if (this.text !== undefined) {
      const checked = scanCanonicalRecord(this.text, start, this.oursSeparator);
      if (checked) return { name, line, start, end: checked.end, canonicalSize: checked.size };
    }
    const close = b.indexOf(RECORD_END, start);
    if (close === -1) bail();
    return { name, line, start, end: close + RECORD_END.length, canonicalSize: -1 };
  }

  deployment(uuid: string, open: number): DeploymentSpan {
    const b = this.b;
    if (b[open + 1] !== NL) bail(); // "{}": no resources, not an export
    let p = open + 2;
    let previous: string | null = null;
    let found: { start: number; end: number; records: RecordSpan[] } | null = null;
    for (;;) {
      this.expectKeyStart(p, 4);
      let valueEnd: number;
      const isResources = p + RESOURCES_LINE.length <= b.length && b.compare(RESOURCES_LINE, 0, RESOURCES_LINE.length, p, p + RESOURCES_LINE.length) === 0;
      if (isResources) {
        keyAfter(previous, "resources");
        previous = "resources";
        const start = p + RESOURCES_LINE.length - 1;
        const r = this.resources(start, uuid);
        found = { start, end: r.end, records: r.records };
        valueEnd = r.end;
      } else {
        // A one-line attribute whose value is a string; its text is parsed by the caller.
        const nl = b.indexOf(NL, p);
        if (nl === -1) bail();
        valueEnd = nl;
        while (b[valueEnd - 1] === SPACE || b[valueEnd - 1] === COMMA) valueEnd--;
        if (b[valueEnd - 1] !== QUOTE || b[valueEnd - 2] === BACKSLASH) bail();
        const keyEnd = b.indexOf('": ', p + 5);
        if (keyEnd === -1 || keyEnd > valueEnd) bail();
        const key = plainKey(b.toString("latin1", p + 5, keyEnd));
        keyAfter(previous, key);
        previous = key;
      }
      const [more, next] = this.itemEnd(valueEnd);
      p = next;
      if (!more) break;
    }
    if (found === null) return bail();
    const end = this.closer(p, 2);
    return { uuid, start: open, end, resourcesStart: found.start, resourcesEnd: found.end, resources: found.records };
  }
}

/**
 * The record layout of a NixOps export, or null when the file is not in NixOps' exact layout.
 * For ours, pass its text and separator (its records are checked); for base and theirs, ours'
 * index as the guide.
 */
export function indexExport(b: Buffer, ours: { text: string; separator: string } | null, guide?: IndexGuide): ExportIndex | null {
  const s = new Scanner(b, ours?.text, ours?.separator ?? ",", guide);
  try {
    if (b[0] !== OPEN_BRACE || b[1] !== NL || b[2] === CLOSE_BRACE) return null;
    const deployments: DeploymentSpan[] = [];
    let p = 2;
    let previous: string | null = null;
    for (;;) {
      s.expectKeyStart(p, 2);
      const [uuid, open] = s.objectKey(p + 3);
      keyAfter(previous, uuid);
      previous = uuid;
      const d = s.deployment(uuid, open);
      deployments.push(d);
      const [more, next] = s.itemEnd(d.end);
      p = next;
      if (!more) break;
    }
    if (s.closer(p, 0) !== b.length - 1 || b[b.length - 1] !== NL) return null;
    return { deployments, separator: s.separator };
  } catch (e) {
    if (e instanceof Bail) return null;
    throw e;
  }
}
