// A state file's text read for people to review (diff, log, textconv): as the merge reads it,
// except that a key written twice is refused with its place, never shown as its last copy
// (which is all a JSON reader keeps, and all the review would show), as `check` reports it.

import type { JsonValue } from "../core/values";
import { parseJson } from "../formats/parseJson";
import { stripBom } from "../formats/bom";
import { profileOf, type FileView } from "../view/fileView";
import { duplicateKeyAt } from "./check/keyPositions";

/** A key written twice in one object: where (its second writing) and which. */
export class KeyWrittenTwice extends Error {
  constructor(
    readonly line: number,
    readonly column: number,
    readonly reason: string,
  ) {
    super(`line ${line}, column ${column}: ${reason}`);
  }
}

/** The parsed document, embedded JSON still text; throws JsonParseError, or KeyWrittenTwice. */
export function readDocument(text: string, view: FileView): JsonValue {
  const body = stripBom(text);
  const parsed = parseJson(body);
  const first = parsed.duplicates[0];
  if (first === undefined) return parsed.value;
  const key = profileOf(view, [parsed.value]).shownPath(first.path).at(-1);
  const at = duplicateKeyAt(body, first.path, first.values.length, String(key));
  throw new KeyWrittenTwice(at.line, at.column, at.reason);
}
