// A state file's text read for people to review (diff, log, textconv): as the merge reads it,
// except that a key written twice is refused with its place, never shown as its last copy
// (which is all a JSON reader keeps, and all the review would show), as `check` reports it;
// and a conflict left in it is named as one, not as JSON that breaks off.

import type { JsonValue } from "../core/values";
import { parseJson } from "../formats/parseJson";
import { stripBom } from "../formats/bom";
import { firstMarkerLine } from "../formats/conflictMarkers";
import { profileOf, type FileView } from "../view/fileView";
import { duplicateKeyAt } from "./check/keyPositions";

/** A text that is JSON, or would read as JSON, but not as one state: where and why. */
export class NotReviewable extends Error {
  constructor(
    readonly problem: "a key written twice" | "a conflict left in it",
    readonly line: number,
    readonly column: number,
    readonly reason: string,
  ) {
    super(`line ${line}, column ${column}: ${reason}`);
  }
}

/** The parsed document, embedded JSON still text; throws JsonParseError, or NotReviewable. */
export function readReviewedDocument(text: string, view: FileView): JsonValue {
  const body = stripBom(text);
  const marker = firstMarkerLine(body);
  if (marker !== null) throw new NotReviewable("a conflict left in it", marker.line, 1, "a conflict marker line: a conflict was left in it");
  const parsed = parseJson(body);
  const first = parsed.duplicates[0];
  if (first === undefined) return parsed.value;
  const key = profileOf(view, [parsed.value]).shownPath(first.path).at(-1);
  const at = duplicateKeyAt(body, first.path, first.values.length, String(key));
  throw new NotReviewable("a key written twice", at.line, at.column, at.reason);
}
