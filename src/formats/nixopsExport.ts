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
  // Text or its bytes (the framed reading votes on the files as they are, before any is decoded).
  // Line by line: a comma votes where a line ends in ",", ", " (then "\n" or "\r\n").
  const code = typeof text === "string" ? (i: number) => text.charCodeAt(i) : (i: number) => text[i];
  const newline = typeof text === "string" ? (from: number) => text.indexOf("\n", from) : (from: number) => text.indexOf(10, from);
  let py2 = 0;
  let py3 = 0;
  for (let at = newline(0); at !== -1 && py2 + py3 < SEPARATOR_VOTES; at = newline(at + 1)) {
    const end = code(at - 1) === 13 ? at - 1 : at;
    if (code(end - 1) === 44) py3++;
    else if (code(end - 1) === 32 && code(end - 2) === 44) py2++;
  }
  if (py2 + py3 === 0) return null;
  return py2 > py3 ? "py2" : "py3";
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
