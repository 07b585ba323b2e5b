// A state file's text as the merge sees it: exact JSON values, read with the profile the file
// view chooses, and for a profile with embedded JSON the attribute strings that hold JSON
// decoded (so they compare by value). Pure.

import { ABSENT, isObject, type JsonObject, type JsonValue, type Path, type Slot } from "../core/values";
import { childAt } from "../core/mergeKeyedArrays";
import { parseJson } from "../formats/parseJson";
import { decodeEmbedded, detectSeparators, type PythonSeparators } from "../formats/nixopsExport";
import { stripBom } from "../formats/bom";
import type { Profile } from "../profiles/profile";
import { PLAIN_VIEW, profileOf, type FileView } from "./fileView";

export interface LoadedState {
  value: JsonValue;
  profile: Profile;
  separators: PythonSeparators;
}

/**
 * Parses a state file's text; throws JsonParseError (with line and column) when it is not JSON.
 * `read`: how the text becomes a document (the review's reader refuses a key written twice).
 */
export function loadState(text: string, view: FileView = PLAIN_VIEW, read: (text: string, view: FileView) => JsonValue = readDocument): LoadedState {
  const value = read(text, view);
  const profile = profileOf(view, [value]);
  openEmbedded(value, profile);
  return { value, profile, separators: detectSeparators(stripBom(text)) ?? "py3" };
}

/** The parsed document, embedded JSON still text; throws JsonParseError when it is not JSON. */
export function readDocument(text: string): JsonValue {
  return parseJson(stripBom(text)).value;
}

/** Decodes the attribute strings that hold JSON, where the profile says they may (in place). */
export function openEmbedded(value: Slot, profile: Profile): void {
  if (profile.row.embeddedJson.length > 0 && isObject(value)) decodeEmbedded(value as JsonObject);
}

/**
 * The value at a path, looking inside embedded JSON and finding keyed-array elements by
 * their identity (`[id="globex"]`); ABSENT when there is nothing there.
 */
export function valueAt(doc: Slot, path: Path): Slot {
  let node: Slot = doc;
  for (const key of path) {
    node = childAt(node, key);
    if (node === ABSENT) return ABSENT;
  }
  return node;
}
