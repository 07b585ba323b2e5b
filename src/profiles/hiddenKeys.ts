// Keys a profile shows only as their hashes (keys below a secret place, Profile.shownPath),
// gathered from the documents, so that a message repeating a selector as a person typed it
// can leave it out when it spells one: whole, escaped, quoted, in another case, or a token
// with a typo. Walked only when such a message is written.

import { elementPathSegment } from "../core/mergeKeyedArrays";
import { Embedded, isObject, type Path, type Slot } from "../core/values";
import type { Profile } from "./profile";

/** Hidden keys this long are tokens: matched by any run of this many characters. */
const TOKEN_RUN = 8;

export interface HiddenKeys {
  /** Token-long keys at any depth below a secret place, lower-cased. */
  tokens: string[];
  /**
   * Shorter keys directly below a secret place (what it is keyed by), lower-cased; not its
   * entries' field names (`scope`), which a selector for another place may well hold.
   */
  short: Set<string>;
}

export function hiddenKeysIn(profile: Profile, documents: readonly Slot[]): HiddenKeys {
  const tokens = new Set<string>();
  const short = new Set<string>();
  const walk = (node: unknown, path: Path, below: boolean): void => {
    const value = node instanceof Embedded ? node.value : node;
    if (Array.isArray(value)) {
      // An element of a keyed array by its identity, as merge paths and shownPath name it.
      const field = profile.policy.arrayKey?.(path) ?? null;
      value.forEach((e, i) => walk(e, [...path, elementPathSegment(field, e, i)], below));
    }
    if (!isObject(value)) return;
    const hides = profile.hidesKeysBelow(path);
    for (const [k, v] of value) {
      if (hides && k.length >= TOKEN_RUN) tokens.add(k.toLowerCase());
      else if (hides && !below && k !== "") short.add(k.toLowerCase());
      walk(v, [...path, k], below || hides);
    }
  };
  for (const doc of documents) walk(doc, [], false);
  return { tokens: [...tokens], short };
}

const KEY_CHAR = /[A-Za-z0-9_@-]/;

/**
 * Does typed text spell a hidden key, in any case: a token, or any run of TOKEN_RUN of its
 * characters (a typo, an escape or a quote inside it leaves such a run); a shorter key whole,
 * between characters that cannot belong to it (`/`, `.`, quotes, brackets, `=`).
 */
export function spellsHiddenKey(text: string, keys: HiddenKeys): boolean {
  const typed = text.toLowerCase();
  for (const k of keys.tokens) {
    for (let i = 0; i + TOKEN_RUN <= k.length; i++) if (typed.includes(k.slice(i, i + TOKEN_RUN))) return true;
  }
  for (const k of keys.short) {
    for (let at = typed.indexOf(k); at !== -1; at = typed.indexOf(k, at + 1)) {
      const before = at === 0 ? "" : typed[at - 1];
      const after = typed[at + k.length] ?? "";
      if (!KEY_CHAR.test(before) && !KEY_CHAR.test(after)) return true;
    }
  }
  return false;
}
