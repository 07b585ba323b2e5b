// Keys a profile shows only as their hashes (keys below a secret place, Profile.shownPath),
// gathered from the documents, so that a message repeating what a person typed (a selector
// that spells a token) can hide them as well. Walked only when such a message is written.

import { Embedded, isObject, type Path, type Slot } from "../core/values";
import type { Profile } from "./profile";
import { hashSecret } from "./secrets";

export function hiddenKeysIn(profile: Profile, documents: readonly Slot[]): Set<string> {
  const keys = new Set<string>();
  const walk = (node: unknown, path: Path): void => {
    const value = node instanceof Embedded ? node.value : node;
    if (Array.isArray(value)) value.forEach((e, i) => walk(e, [...path, String(i)]));
    if (!isObject(value)) return;
    const hides = profile.hidesKeysBelow(path);
    for (const [k, v] of value) {
      if (hides) keys.add(k);
      walk(v, [...path, k]);
    }
  };
  for (const doc of documents) walk(doc, []);
  return keys;
}

/**
 * `text` with every hidden key that stands on its own (not inside a longer word of letters
 * and digits) replaced by its hash, as shownPath shows it. Longer keys first, in one pass.
 */
export function withHiddenKeysMasked(text: string, keys: ReadonlySet<string>): string {
  if (keys.size === 0) return text;
  const alternatives = [...keys].filter((k) => k !== "").sort((a, b) => b.length - a.length).map((k) => k.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"));
  if (alternatives.length === 0) return text;
  const pattern = new RegExp(`(?<![A-Za-z0-9])(?:${alternatives.join("|")})(?![A-Za-z0-9])`, "g");
  return text.replace(pattern, (k) => hashSecret(k));
}
