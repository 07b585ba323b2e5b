// From two file contents to a semantic diff: parse each (null = the file does not exist on
// that side), let the file view choose the profile as the merge does, and diff. Pure.

import { ABSENT, type Slot } from "../core/values";
import { JsonParseError } from "../formats/parseJson";
import type { Profile } from "../profiles/profile";
import { PLAIN_VIEW, profileOf, type FileView } from "../view/fileView";
import { openEmbedded, readDocument } from "../view/loadState";
import { diffStates, type StateDiff } from "./semanticDiff";
import { KIND_REVIEWS } from "./kindReview";

export class UnreadableSide extends Error {
  constructor(
    readonly side: "old" | "new",
    readonly reason: JsonParseError,
  ) {
    super(`the ${side} version is not valid JSON (${reason.message})`);
  }
}

export interface TextDiff {
  diff: StateDiff;
  profile: Profile;
}

export function diffTexts(oldText: string | null, newText: string | null, view: FileView = PLAIN_VIEW): TextDiff {
  const load = (side: "old" | "new", text: string | null): Slot => {
    if (text === null || text.trim() === "") return ABSENT;
    try {
      return readDocument(text);
    } catch (e) {
      if (e instanceof JsonParseError) throw new UnreadableSide(side, e);
      throw e;
    }
  };
  const before = load("old", oldText);
  const after = load("new", newText);
  const profile = profileOf(view, [before, after]);
  const own = KIND_REVIEWS[profile.row.layout];
  if (own) return { diff: own.diff(before, after, profile), profile };
  openEmbedded(before, profile);
  openEmbedded(after, profile);
  const missing = (v: Slot): Slot => (v !== ABSENT ? v : profile.name === "nixops" ? new Map() : ABSENT);
  return { diff: diffStates(missing(before), missing(after), profile), profile };
}
