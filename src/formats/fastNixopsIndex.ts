// Finds the records of a `nixops export --all` file without parsing it: where each deployment,
// its `resources` object and each resource's `{...}` text start and end. It accepts only the
// exact layout NixOps prints (2-space indent, one item per line, keys in order, no duplicates,
// "\n" line ends) and says null to anything else, which then takes the full parse. What it
// does not check (attribute values inside records) is parsed or validated by the caller.

export interface RecordSpan {
  name: string;
  /** [start, end): the record's value text, from "{" to "}". */
  start: number;
  end: number;
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

const NL = 10;
const SPACE = 32;
const QUOTE = 34;
const COMMA = 44;
const OPEN = 123;
const CLOSE = 125;
const BACKSLASH = 92;

const RECORD_END = Buffer.from("\n      }");
const KEY_OPENS_OBJECT = Buffer.from('": {');
const RESOURCES_LINE = Buffer.from('    "resources": {');

class Bail extends Error {}
const bail = (): never => {
  throw new Bail();
};

class Scanner {
  separator: "," | ", " | null = null;

  constructor(private readonly b: Buffer) {}

  /** `indent` spaces then a quote at p. */
  expectKeyStart(p: number, indent: number): void {
    const b = this.b;
    for (let i = 0; i < indent; i++) if (b[p + i] !== SPACE) bail();
    if (b[p + indent] !== QUOTE) bail();
  }

  /** A key of printable ASCII without escapes, ending at the next `": {`; returns [key, position of "{"]. */
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
    if (b[p + indent] !== CLOSE) bail();
    return p + indent + 1;
  }
}

/** Keys written as they read (what NixOps' names are): no escapes, no control characters. */
function plainKey(key: string): string {
  if (!/^[ !#-\[\]-~]*$/.test(key)) bail();
  return key;
}

function keyAfter(previous: string | null, key: string): void {
  // Strictly increasing keys: NixOps' sorted order, and no key twice.
  if (previous !== null && !(previous < key)) bail();
}

function resources(s: Scanner, b: Buffer, open: number): { end: number; records: RecordSpan[] } {
  const records: RecordSpan[] = [];
  if (b[open + 1] === CLOSE) return { end: open + 2, records };
  if (b[open + 1] !== NL) bail();
  let p = open + 2;
  let previous: string | null = null;
  for (;;) {
    s.expectKeyStart(p, 6);
    const [name, start] = s.objectKey(p + 7);
    keyAfter(previous, name);
    previous = name;
    let end: number;
    if (b[start + 1] === CLOSE) end = start + 2;
    else if (b[start + 1] === NL) {
      const close = b.indexOf(RECORD_END, start);
      if (close === -1) bail();
      end = close + RECORD_END.length;
    } else return bail();
    records.push({ name, start, end });
    const [more, next] = s.itemEnd(end);
    p = next;
    if (!more) return { end: s.closer(p, 4), records };
  }
}

function deployment(s: Scanner, b: Buffer, uuid: string, open: number): DeploymentSpan {
  if (b[open + 1] !== NL) bail(); // "{}": no resources, not an export
  let p = open + 2;
  let previous: string | null = null;
  let found: { start: number; end: number; records: RecordSpan[] } | null = null;
  for (;;) {
    s.expectKeyStart(p, 4);
    let valueEnd: number;
    const isResources = p + RESOURCES_LINE.length <= b.length && b.compare(RESOURCES_LINE, 0, RESOURCES_LINE.length, p, p + RESOURCES_LINE.length) === 0;
    if (isResources) {
      keyAfter(previous, "resources");
      previous = "resources";
      const start = p + RESOURCES_LINE.length - 1;
      const r = resources(s, b, start);
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
    const [more, next] = s.itemEnd(valueEnd);
    p = next;
    if (!more) break;
  }
  if (found === null) bail();
  const end = s.closer(p, 2);
  const r = found as { start: number; end: number; records: RecordSpan[] };
  return { uuid, start: open, end, resourcesStart: r.start, resourcesEnd: r.end, resources: r.records };
}

/** The record layout of a NixOps export, or null when the file is not in NixOps' exact layout. */
export function indexExport(b: Buffer): ExportIndex | null {
  const s = new Scanner(b);
  try {
    if (b[0] !== OPEN || b[1] !== NL || b[2] === CLOSE) return null;
    const deployments: DeploymentSpan[] = [];
    let p = 2;
    let previous: string | null = null;
    for (;;) {
      s.expectKeyStart(p, 2);
      const [uuid, open] = s.objectKey(p + 3);
      keyAfter(previous, uuid);
      previous = uuid;
      const d = deployment(s, b, uuid, open);
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
