// Keys a profile shows only as their hashes (keys below a secret place, Profile.shownPath),
// gathered from the documents, so that a message repeating a selector as a person typed it
// (a token spelled under another name, with a typo, or escaped) can leave it out. Walked
// only when such a message is written.

import { Embedded, isObject, type Path, type Slot } from "../core/values";
import type { Profile } from "./profile";

/**
 * The keys directly below each secret place (the tokens, addresses ... a map is keyed by);
 * not the field names of its entries, which shownPath hashes too, but which are words such
 * as `scope` that a selector for another place may hold.
 */
export function hiddenKeysIn(profile: Profile, documents: readonly Slot[]): Set<string> {
  const keys = new Set<string>();
  const walk = (node: unknown, path: Path, below: boolean): void => {
    const value = node instanceof Embedded ? node.value : node;
    if (Array.isArray(value)) value.forEach((e, i) => walk(e, [...path, String(i)], below));
    if (!isObject(value)) return;
    const hides = profile.hidesKeysBelow(path);
    for (const [k, v] of value) {
      if (hides && !below) keys.add(k);
      walk(v, [...path, k], below || hides);
    }
  };
  for (const doc of documents) walk(doc, [], false);
  return keys;
}

/** Hidden keys this long are tokens: found inside typed text too (a typo beside one, `tokens.<token>`). */
const TOKEN_LENGTH = 8;

/**
 * Does typed text hold a hidden key: one of its `/` or `.` separated parts is one, or a
 * token-long one stands anywhere in it (beside a typo, escaped). Shorter keys count only
 * whole, so that an ordinary word is not taken for a part of one.
 */
export function holdsHiddenKey(text: string, keys: ReadonlySet<string>): boolean {
  if (keys.size === 0) return false;
  if (keys.has(text) || text.split(/[/.]/).some((part) => keys.has(part))) return true;
  for (const k of keys) if (k.length >= TOKEN_LENGTH && text.includes(k)) return true;
  return false;
}
