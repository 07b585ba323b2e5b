// Attribute-level changes between two records: each changed attribute, and inside embedded
// JSON (`keys`, `ec2.tags`, ...) each changed inner key, compared by value. Arrays are
// compared whole, as the merge treats them.

import { ABSENT, Embedded, isObject, valuesEqual, type Path, type Slot } from "../core/values";
import type { Profile } from "../profiles/profile";

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
  if (isObject(b) && isObject(a)) {
    const out: AttributeChange[] = [];
    for (const key of new Set([...b.keys(), ...a.keys()])) {
      out.push(...attributeChanges(b.get(key) ?? ABSENT, a.get(key) ?? ABSENT, [...at, key], [...inner, key], profile));
    }
    return out;
  }
  if (inner.length === 0) {
    // The root itself is a leaf (not a record): one change at the empty path.
    return [{ path: [], old: before, new: after, volatile: false }];
  }
  return [{ path: inner, old: before, new: after, volatile: profile.policy.isVolatile(at) }];
}

/** An attribute path for people: `ec2.tags/CharonStateFile`; an inner key holding "/" is quoted. */
export function attributeLabel(path: readonly string[]): string {
  return path.map((k, i) => (i > 0 && (k.includes("/") || k === "") ? JSON.stringify(k) : k)).join("/");
}
