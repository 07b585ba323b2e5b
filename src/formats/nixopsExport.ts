// Reading and writing `nixops export --all` output byte for byte (see the NixOps export
// format notes): sorted keys, 2-space indent, ASCII-only escapes, one trailing newline, and
// "," (Python 3, NixOps 2.x) or ", " (Python 2, NixOps 1.x) after every item.

import { Embedded, isObject, type JsonObject, type JsonValue } from "../core/values";
import { parseJson } from "./parseJson";
import { pythonString } from "./pythonJson";
import { renderDocument, type Layout } from "./renderDocument";
import { NO_MARKERS } from "./plainRendering";
import { JsonNumber } from "../core/values";

export type PythonSeparators = "py3" | "py2";

export function nixopsLayout(separators: PythonSeparators, newline = "\n"): Layout {
  return {
    indent: "  ",
    itemSeparator: separators === "py2" ? ", " : ",",
    keySeparator: ": ",
    newline,
    finalNewline: true,
    bom: false,
    sortKeys: true,
    compact: false,
    scalar: nixopsScalar,
  };
}

/** The bytes `nixops export` would print for this (parsed, undecoded) document. */
export function canonicalText(value: JsonValue, separators: PythonSeparators): string {
  return renderDocument(value, nixopsLayout(separators), NO_MARKERS);
}

function nixopsScalar(value: string | JsonNumber | boolean | null | Embedded): string {
  if (typeof value === "string") return pythonString(value);
  if (value instanceof Embedded) return pythonString(value.text);
  if (value instanceof JsonNumber) return value.text;
  return JSON.stringify(value);
}

const SEPARATOR_VOTES = 1000;

/**
 * NixOps 1.x (Python 2) puts a space after every comma at a line end, 2.x does not. Decided
 * by the majority of the first lines that end in a comma, so one stray trailing space neither
 * switches a whole file's layout nor costs a scan of a 50 MB file; null when no line does.
 */
export function detectSeparators(text: string | Uint8Array): PythonSeparators | null {
  const votes = { py2: 0, py3: 0 };
  if (typeof text === "string") voteIn(text, 0, votes);
  else {
    // The bytes (the framed reading votes on the files before any is decoded) a window at a
    // time as latin1 text, one character per byte: one search runs over many lines, where a
    // search of the bytes would be a call per line. A window also holds the last bytes of
    // the one before, so that a comma, a space and "\r" before its first newline are seen.
    const bytes = Buffer.from(text.buffer, text.byteOffset, text.byteLength);
    for (let from = 0; from < bytes.length && votes.py2 + votes.py3 < SEPARATOR_VOTES; from += SEPARATOR_WINDOW) {
      const back = Math.min(from, LINE_END_BYTES - 1);
      voteIn(bytes.toString("latin1", from - back, from + SEPARATOR_WINDOW), back, votes);
    }
  }
  if (votes.py2 + votes.py3 === 0) return null;
  return votes.py2 > votes.py3 ? "py2" : "py3";
}

/** Bytes decoded at a time when voting on a file's bytes. */
export const SEPARATOR_WINDOW = 64 * 1024;
/** The longest line end that votes: a comma, a space, "\r\n". */
const LINE_END_BYTES = 4;
/** A comma that ends a line: "," (Python 3) or ", " (Python 2), then LF or CRLF. */
const LINE_END_COMMA = /,( ?)\r?\n/g;

/** Counts the votes of the commas whose line ends in `text` at or after `from`, until there are enough. */
function voteIn(text: string, from: number, votes: { py2: number; py3: number }): void {
  const re = LINE_END_COMMA;
  re.lastIndex = 0;
  for (let m: RegExpExecArray | null; votes.py2 + votes.py3 < SEPARATOR_VOTES && (m = re.exec(text)) !== null; ) {
    if (re.lastIndex - 1 < from) continue; // its newline is the window before's
    if (m[1] === " ") votes.py2++;
    else votes.py3++;
  }
}

/** The separators of three exports (base, ours, theirs): ours' vote, else theirs', else base's, else Python 3's. */
export function exportSeparators(texts: readonly (string | Uint8Array)[]): PythonSeparators {
  return detectSeparators(texts[1]) ?? detectSeparators(texts[2]) ?? detectSeparators(texts[0]) ?? "py3";
}

/**
 * True when the value has the shape `nixops export` prints: deployments keyed by UUID, each
 * with a `resources` object of records. `{}` (an empty statefile) has it too.
 */
export function isNixopsShaped(value: JsonValue): boolean {
  if (!isObject(value)) return false;
  for (const deployment of value.values()) {
    if (!isObject(deployment)) return false;
    const resources = deployment.get("resources");
    if (!isObject(resources)) return false;
    for (const resource of resources.values()) if (!isObject(resource)) return false;
  }
  return true;
}

/** A NixOps export holding at least one deployment: `{}` alone is any JSON file's empty object. */
export function isNixopsExport(value: JsonValue): boolean {
  return isObject(value) && value.size > 0 && isNixopsShaped(value);
}

/** The attributes of one deployment and of its resources, where embedded JSON can live. */
export function* attributeRecords(doc: JsonObject): Generator<JsonObject> {
  for (const deployment of doc.values()) {
    if (!isObject(deployment)) continue;
    yield deployment;
    const resources = deployment.get("resources");
    if (isObject(resources)) for (const r of resources.values()) if (isObject(r)) yield r;
  }
}

/**
 * Replaces every attribute string that holds JSON (`keys`, `ec2.tags`, `args`, ...) with an
 * Embedded value, so the merge compares it by value. A string whose JSON repeats a key stays
 * a plain string: comparing its text is the only safe reading.
 */
export function decodeEmbedded(doc: JsonObject): void {
  for (const record of attributeRecords(doc)) decodeRecordEmbedded(record);
}

/** decodeEmbedded for one deployment: its own attributes and its resources'. */
export function decodeDeploymentEmbedded(deployment: JsonObject): void {
  decodeEmbedded(new Map([["", deployment]]));
}

/** decodeEmbedded for one deployment's or one resource's attributes. */
export function decodeRecordEmbedded(record: JsonObject): void {
  for (const [key, v] of record) {
    if (typeof v !== "string" || key === "resources") continue;
    const c = v.charCodeAt(0);
    if (c !== 123 && c !== 91) continue; // "{" or "["
    try {
      const parsed = parseJson(v);
      if (parsed.duplicates.length === 0) record.set(key, new Embedded(v, parsed.value));
    } catch {
      // Not JSON after all: a plain string.
    }
  }
}
