// Attribute-level changes between two records: each changed attribute, and inside embedded
// JSON (`keys`, `ec2.tags`, ...) each changed inner key, compared by value. Arrays are
// compared whole, as the merge treats them, except keyed arrays (a tenant list), whose
// elements are matched by their identity field: added, removed, or changed field by field.

import type { KeyFields } from "../core/policy";
import { ABSENT, Embedded, isObject, slotOf, valuesEqual, type JsonValue, type Path, type Slot } from "../core/values";
import { elementSegment, identityOf } from "../core/mergeKeyedArrays";
import type { Profile } from "../profiles/profile";
import { displaySegment } from "../profiles/table";

export interface AttributeChange {
  /** The attribute, then the inner path inside its embedded JSON. */
  path: string[];
  old: Slot;
  new: Slot;
  /** A value every deploy rewrites (configsPath, CharonStateFile): shown, but not news. */
  volatile: boolean;
}

/**
 * Changes from `before` to `after`. `at` is where these values live in the document (for the
 * profile's volatile and secret rules); `inner` the path already walked below the record.
 */
export function attributeChanges(before: Slot, after: Slot, at: Path, inner: string[], profile: Profile): AttributeChange[] {
  if (valuesEqual(before, after)) return [];
  const b = before instanceof Embedded ? before.value : before;
  const a = after instanceof Embedded ? after.value : after;
  // A place whose keys are hidden (a map keyed by token) is one change, its value hidden
  // whole: a change per key would print the keys.
  const secret = inner.length > 0 && profile.hidesKeysBelow(at);
  if (isObject(b) && isObject(a) && !secret) {
    const out: AttributeChange[] = [];
    for (const key of new Set([...b.keys(), ...a.keys()])) {
      out.push(...attributeChanges(slotOf(b, key), slotOf(a, key), [...at, key], [...inner, key], profile));
    }
    return out;
  }
  const keyed = Array.isArray(b) && Array.isArray(a) && !secret ? keyedElements(b, a, profile.policy.arrayKey?.(at) ?? null) : null;
  if (keyed) {
    const out: AttributeChange[] = [];
    for (const [segment, [old, now]] of keyed) out.push(...attributeChanges(old, now, [...at, segment], [...inner, segment], profile));
    return out;
  }
  if (inner.length === 0) {
    // The root itself is a leaf (not a record): one change at the empty path.
    return [{ path: [], old: before, new: after, volatile: false }];
  }
  return [{ path: inner, old: before, new: after, volatile: profile.policy.isVolatile(at) }];
}

/** An attribute path for people: `ec2.tags/CharonStateFile`, `tenants/globex/plan`; an inner key holding "/" is quoted. */
export function attributeLabel(path: readonly string[]): string {
  return path.map(displaySegment).map((k, i) => (i > 0 && (k.includes("/") || k === "") ? JSON.stringify(k) : k)).join("/");
}

/** Both arrays' elements by identity segment, in old then new order; null when an element has no identity or one repeats. */
function keyedElements(before: JsonValue[], after: JsonValue[], field: KeyFields | null): Map<string, [Slot, Slot]> | null {
  if (field === null) return null;
  const out = new Map<string, [Slot, Slot]>();
  for (const [side, list] of [[0, before], [1, after]] as const) {
    const seen = new Set<string>();
    for (const element of list) {
      const id = identityOf(element, field);
      if (id === null || seen.has(id)) return null;
      seen.add(id);
      const segment = elementSegment(field, id);
      const pair = out.get(segment) ?? [ABSENT, ABSENT];
      pair[side] = element;
      out.set(segment, pair);
    }
  }
  return out;
}
