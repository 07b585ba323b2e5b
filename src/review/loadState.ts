// A state file's text as the merge sees it: exact JSON values, and for a NixOps export the
// attribute strings that hold JSON decoded (so they compare by value). Pure.

import { ABSENT, Embedded, isObject, type JsonObject, type JsonValue, type Path, type Slot } from "../core/values";
import { parseJson } from "../formats/parseJson";
import { decodeEmbedded, detectSeparators, isNixopsExport, type PythonSeparators } from "../formats/nixopsExport";
import { stripBom } from "../formats/bom";

export interface LoadedState {
  value: JsonValue;
  /** True for a (non-empty) document with the shape `nixops export` prints. */
  nixops: boolean;
  separators: PythonSeparators;
}

/** Parses a state file's text; throws JsonParseError (with line and column) when it is not JSON. */
export function loadState(text: string): LoadedState {
  const body = stripBom(text);
  const value = parseJson(body).value;
  const nixops = isNixopsExport(value);
  if (nixops) decodeEmbedded(value as JsonObject);
  return { value, nixops, separators: detectSeparators(body) ?? "py3" };
}

/** The value at a path, looking inside embedded JSON; ABSENT when there is nothing there. */
export function valueAt(doc: Slot, path: Path): Slot {
  let node: Slot = doc;
  for (const key of path) {
    if (node instanceof Embedded) node = node.value;
    if (isObject(node)) node = node.has(key) ? (node.get(key) as JsonValue) : ABSENT;
    else if (Array.isArray(node) && /^(0|[1-9][0-9]*)$/.test(key) && Number(key) < node.length) node = node[Number(key)];
    else return ABSENT;
  }
  return node;
}
