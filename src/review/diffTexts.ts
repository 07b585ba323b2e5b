// From two file contents to a semantic diff: parse each (null = the file does not exist on
// that side), let the file view choose the profile as the merge does, and diff. Pure.

import { ABSENT, type Slot } from "../core/values";
import { JsonParseError } from "../formats/parseJson";
import type { Profile } from "../profiles/profile";
import { PLAIN_VIEW, profileOf, type FileView } from "../view/fileView";
import { openEmbedded } from "../view/loadState";
import { NotReviewable, readReviewedDocument } from "./reviewedDocument";
import { diffJsonStates, type StateDiff } from "./semanticDiff";
import { kindReviewOf } from "./kindReview";

/** A version that cannot be read as one document: not JSON, a key written twice (readers would keep its last copy), a conflict left in it. */
export class UnreadableSide extends Error {
  constructor(
    readonly side: "old" | "new",
    /** Where, and why. */
    readonly reason: { line: number; column: number; reason: string },
    readonly problem: "not valid JSON" | NotReviewable["problem"],
  ) {
    super(`the ${side} version ${problem === "not valid JSON" ? "is" : "has"} ${problem} (line ${reason.line}, column ${reason.column}: ${reason.reason})`);
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
      return readReviewedDocument(text, view);
    } catch (e) {
      if (e instanceof JsonParseError) throw new UnreadableSide(side, e, "not valid JSON");
      if (e instanceof NotReviewable) throw new UnreadableSide(side, e, e.problem);
      throw e;
    }
  };
  const before = load("old", oldText);
  const after = load("new", newText);
  const profile = profileOf(view, [before, after]);
  // Attribute strings that hold JSON compare by value (a re-ordered `keys` blob is no change).
  openEmbedded(before, profile);
  openEmbedded(after, profile);
  const diff = kindReviewOf(profile.row, [before, after]).diff ?? diffJsonStates;
  return { diff: diff(before, after, profile), profile };
}
