// When may two different changes to one Terraform instance be merged attribute by attribute?
// Only when it is plainly the same remote object on all three sides (same `attributes.id`,
// same `identity`, same `schema_version`), the two sides changed different top-level
// attributes (or the same one alike), at most one side changed `private`, and no other field
// of the instance was changed differently on both sides. Anything else is one conflict over
// the whole instance: a resource replaced on one side and refreshed on the other must never
// be stitched together.

import { ABSENT, isObject, slotOf, valuesEqual, type JsonObject, type Slot } from "../../core/values";
import type { ConflictKind } from "../../core/merged";

const EMPTY: JsonObject = new Map();

function attributesOf(instance: JsonObject): JsonObject {
  const a = instance.get("attributes");
  return isObject(a) ? a : EMPTY;
}

function idOf(instance: JsonObject): Slot {
  return slotOf(attributesOf(instance), "id");
}

/** Keys whose value differs between two objects (added, removed or changed). */
function changedKeys(before: JsonObject, after: JsonObject): string[] {
  return [...new Set([...before.keys(), ...after.keys()])].filter((k) => !valuesEqual(slotOf(before, k), slotOf(after, k)));
}

/** Both sides changed this key of two records, and not alike. */
function changedDifferently(base: JsonObject, ours: JsonObject, theirs: JsonObject, key: string): boolean {
  const b: Slot = slotOf(base, key);
  const o: Slot = slotOf(ours, key);
  const t: Slot = slotOf(theirs, key);
  return !valuesEqual(b, o) && !valuesEqual(b, t) && !valuesEqual(o, t);
}

/** The conflict kind for an instance both sides changed differently, or null to merge its fields. */
export function instanceConflict(base: Slot, ours: JsonObject, theirs: JsonObject): ConflictKind | null {
  if (base === ABSENT || !isObject(base)) return "add/add";
  const sameOnAll = (get: (i: JsonObject) => Slot) => valuesEqual(get(base), get(ours)) && valuesEqual(get(base), get(theirs));
  if (!sameOnAll(idOf) || !sameOnAll((i) => slotOf(i, "identity")) || !sameOnAll((i) => slotOf(i, "schema_version"))) return "identity";

  const [b, o, t] = [attributesOf(base), attributesOf(ours), attributesOf(theirs)];
  const theirsChanged = new Set(changedKeys(b, t));
  if (changedKeys(b, o).some((k) => theirsChanged.has(k) && !valuesEqual(slotOf(o, k), slotOf(t, k)))) return "modify/modify";
  const fields = new Set([...base.keys(), ...ours.keys(), ...theirs.keys()]);
  fields.delete("attributes");
  for (const field of fields) if (changedDifferently(base, ours, theirs, field)) return "modify/modify";
  return null;
}
