// textconv of a file that still holds conflict markers (`git diff` during a merge): the file
// as each side of its conflict blocks has it, both read as state, and shown as one readable
// document where only the values that differ stand between markers, each side's secrets
// hashed. Never the raw text: the blocks may hold private keys.

import type { KeyFields } from "../core/policy";
import { ABSENT, isObject, slotOf, valuesEqual, type JsonValue, type Path, type Slot } from "../core/values";
import { Hunk, type Merged } from "../core/merged";
import { elementSegment, identityOf, keyedOrder } from "../core/mergeKeyedArrays";
import type { Profile } from "../profiles/profile";
import { JsonParseError } from "../formats/parseJson";
import { renderDocument } from "../formats/renderDocument";
import { readMarkers } from "../formats/markerBlocks";
import { redactDocument } from "../report/redact";
import { profileOf, type FileView } from "../view/fileView";
import { openEmbedded } from "../view/loadState";
import { readReviewedDocument } from "./reviewedDocument";
import { READABLE_LAYOUT } from "./readableState";

/** The readable conflict view, or null when the text holds no conflict blocks. Throws JsonParseError when a side is not JSON, NotReviewable when it writes a key twice. */
export function readableConflict(text: string, view: FileView, showSecrets: boolean): string | null {
  const marked = readMarkers(text);
  if (!marked || marked.blocks.length === 0 || marked.malformed) return null;
  const sides = [readReviewedDocument(marked.views.ours, view), readReviewedDocument(marked.views.theirs, view)];
  const profile = profileOf(view, sides);
  const [ours, theirs] = sides.map((side): JsonValue => {
    openEmbedded(side, profile);
    return redactDocument(side, profile, { showSecrets, openEmbedded: true });
  });
  const merged = sideBySide(ours, theirs, [], profile);
  const markers = { size: marked.markerSize, ours: marked.labels.ours, base: marked.labels.base, theirs: marked.labels.theirs, style: "merge" as const };
  return renderDocument(merged, READABLE_LAYOUT, markers);
}

export { JsonParseError };

/** Equal parts once; objects key by key, keyed arrays element by element; any other difference (a value only one side has too) between markers. */
function sideBySide(ours: Slot, theirs: Slot, path: Path, profile: Profile): Merged {
  if (valuesEqual(ours, theirs)) return ours as Merged;
  if (isObject(ours) && isObject(theirs)) {
    const out = new Map<string, Merged>();
    for (const key of new Set([...ours.keys(), ...theirs.keys()])) out.set(key, sideBySide(slotOf(ours, key), slotOf(theirs, key), [...path, key], profile));
    return out;
  }
  const field = Array.isArray(ours) && Array.isArray(theirs) ? (profile.policy.arrayKey?.(path) ?? null) : null;
  const elements = field ? byIdentity([ours as JsonValue[], theirs as JsonValue[]], field) : null;
  if (field && elements) {
    const [o, t] = elements;
    const out: Merged[] = [];
    for (const id of keyedOrder([...o.keys()], [...t.keys()])) out.push(sideBySide(o.get(id) ?? ABSENT, t.get(id) ?? ABSENT, [...path, elementSegment(field, id)], profile));
    return out;
  }
  return new Hunk(path, ours, ABSENT, theirs);
}

/** Each side's elements by identity, or null when one lacks it or has it twice (then the array is one value). */
function byIdentity(sides: JsonValue[][], field: KeyFields): Array<Map<string, JsonValue>> | null {
  const out: Array<Map<string, JsonValue>> = [];
  for (const side of sides) {
    const map = new Map<string, JsonValue>();
    for (const element of side) {
      const id = identityOf(element, field);
      if (id === null || map.has(id)) return null;
      map.set(id, element);
    }
    out.push(map);
  }
  return out;
}
