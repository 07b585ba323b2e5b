// A resource record that only theirs changed (base holds ours' very bytes) merges to theirs'
// record, except that an embedded JSON attribute equal by value to ours' keeps ours' text
// (keepOursTexts in core/mergeValues.ts). When both records are in NixOps' exact layout, that
// result is found line by line without parsing either record: attribute lines with the same
// text are the same value; only a line that differs and holds embedded JSON on both sides is
// decoded, and where the two decode to equal values ours' value text is spliced into theirs'.
// The result is theirs' bytes with those splices, written as they are.

import { valuesEqual, type JsonValue } from "../core/values";
import { parseJson } from "./parseJson";
import type { Span } from "./renderDocument";
import { canonicalRecordSize } from "./fastRecord";
import { QUOTE } from "./byteCodes";

export interface TheirsChange {
  /** Ours' record and theirs' hold the same value (they differ only in embedded JSON's text). */
  equal: boolean;
  /** The merged record's bytes: theirs' record with ours' value text where ours' is kept. */
  parts: Span[];
  /** Attributes of theirs' record. */
  size: number;
}

/** One attribute line of a canonical record: its key, and where its value (a string literal, quotes included) is. */
interface AttributeLine {
  key: string;
  valueStart: number;
  valueEnd: number;
}

/** The attribute lines of a record already checked canonical, starting at s[start] ("{" then a newline). */
function attributeLines(s: string, start: number, end: number): AttributeLine[] {
  const lines: AttributeLine[] = [];
  let p = start + 2;
  while (p < end - 7) {
    const keyStart = p + 9; // 8 spaces and the quote
    const keyEnd = s.indexOf('"', keyStart);
    const nl = s.indexOf("\n", keyEnd);
    let valueEnd = nl;
    while (s.charCodeAt(valueEnd - 1) !== QUOTE) valueEnd--; // the separator, if any
    lines.push({ key: s.slice(keyStart, keyEnd), valueStart: keyEnd + 3, valueEnd });
    p = nl + 1;
  }
  return lines;
}

/** The value decodeRecordEmbedded would give a string literal that holds embedded JSON, else undefined. */
function embeddedValue(literal: string): JsonValue | undefined {
  const c = literal.charCodeAt(1);
  if (c !== 123 && c !== 91) return undefined; // "{" or "["
  try {
    const parsed = parseJson(JSON.parse(literal) as string);
    return parsed.duplicates.length === 0 ? parsed.value : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The merge of a record only theirs changed: ours' record is `ours.buf[start, end)`, `ours.text`
 * its text (already checked canonical); theirs' is `theirs.buf[start, end)`. Null when theirs'
 * record is not exactly what the NixOps writer prints with this separator.
 */
export function mergeTheirsChange(
  ours: { buf: Buffer; text: string; start: number },
  theirs: { buf: Buffer; start: number; end: number },
  separator: string,
): TheirsChange | null {
  const theirsText = theirs.buf.toString("latin1", theirs.start, theirs.end);
  const size = canonicalRecordSize(theirsText, separator);
  if (size === null) return null;
  const oursLines = attributeLines(ours.text, 0, ours.text.length);
  const theirsLines = attributeLines(theirsText, 0, theirsText.length);
  const parts: Span[] = [];
  let copiedTo = 0; // theirs' bytes before this (relative to theirs.start) are in `parts`
  let equal = oursLines.length === theirsLines.length;
  let i = 0;
  for (const line of theirsLines) {
    while (i < oursLines.length && oursLines[i].key < line.key) {
      equal = false; // removed by theirs
      i++;
    }
    const own = i < oursLines.length && oursLines[i].key === line.key ? oursLines[i++] : undefined;
    if (own === undefined) {
      equal = false; // added by theirs
      continue;
    }
    const oursValue = ours.text.slice(own.valueStart, own.valueEnd);
    const theirsValue = theirsText.slice(line.valueStart, line.valueEnd);
    if (oursValue === theirsValue) continue;
    const a = embeddedValue(oursValue);
    const b = a === undefined ? undefined : embeddedValue(theirsValue);
    if (b === undefined || !valuesEqual(a as JsonValue, b)) {
      equal = false;
      continue;
    }
    // Equal by value, written differently: ours' text stays.
    parts.push({ source: theirs.buf, start: theirs.start + copiedTo, end: theirs.start + line.valueStart });
    parts.push({ source: ours.buf, start: ours.start + own.valueStart, end: ours.start + own.valueEnd });
    copiedTo = line.valueEnd;
  }
  if (i < oursLines.length) equal = false;
  parts.push({ source: theirs.buf, start: theirs.start + copiedTo, end: theirs.end });
  return { equal, parts, size };
}
