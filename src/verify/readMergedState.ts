// A state file's text as `verify` compares it: parsed exactly as the merge parses its inputs
// (attribute strings that hold JSON decoded where the profile says they may), keys written
// twice listed, and anything that is not state any more (conflict markers, broken JSON, a
// document its profile does not admit) named with its line. Pure.

import type { JsonValue, Path } from "../core/values";
import { firstMarkerLine } from "../formats/conflictMarkers";
import { JsonParseError, parseJson } from "../formats/parseJson";
import { stripBom } from "../formats/bom";
import { openEmbedded } from "../view/loadState";
import type { Profile } from "../profiles/profile";

export type ReadState =
  | { kind: "state"; value: JsonValue; duplicates: Path[] }
  | { kind: "invalid"; reason: string };

export function readMergedState(text: string, profile: Profile): ReadState {
  const marker = firstMarkerLine(text);
  if (marker) return { kind: "invalid", reason: `still holds conflict markers (line ${marker.line}: ${JSON.stringify(marker.text.slice(0, 40))})` };
  const body = stripBom(text);
  if (body.trim() === "") return { kind: "invalid", reason: "is empty, not JSON" };
  let parsed;
  try {
    parsed = parseJson(body);
  } catch (e) {
    if (e instanceof JsonParseError) return { kind: "invalid", reason: `is not valid JSON (${e.message})` };
    throw e;
  }
  if (!profile.row.admits(parsed.value)) return { kind: "invalid", reason: `is JSON but no longer ${profile.row.shape}` };
  openEmbedded(parsed.value, profile);
  return { kind: "state", value: parsed.value, duplicates: parsed.duplicates.map((d) => d.path) };
}
