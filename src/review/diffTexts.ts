// From two file contents to a semantic diff: parse each (null = the file does not exist on
// that side), choose the profile from the content as the merge does, and diff. Pure.

import { ABSENT, type Slot } from "../core/values";
import { JsonParseError } from "../formats/parseJson";
import { nixopsProfile, type NixopsSettings } from "../profiles/nixops";
import { jsonProfile } from "../profiles/json";
import type { Profile } from "../profiles/profile";
import { loadState, type LoadedState } from "./loadState";
import { diffStates, type StateDiff } from "./semanticDiff";
import { isTerraformState } from "../formats/tfstate/detect";
import { tfstateProfile } from "../profiles/tfstate";
import { planDiff } from "../tfstate/planDiff";

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

export function diffTexts(oldText: string | null, newText: string | null, settings?: NixopsSettings): TextDiff {
  const load = (side: "old" | "new", text: string | null): LoadedState | null => {
    if (text === null || text.trim() === "") return null;
    try {
      return loadState(text);
    } catch (e) {
      if (e instanceof JsonParseError) throw new UnreadableSide(side, e);
      throw e;
    }
  };
  const before = load("old", oldText);
  const after = load("new", newText);
  const present = [before, after].filter((s): s is LoadedState => s !== null);
  if (present.some((s) => isTerraformState(s.value))) {
    const docs: Slot[] = [before ? before.value : ABSENT, after ? after.value : ABSENT];
    const profile = tfstateProfile(docs, settings?.secretNames);
    return { diff: { kind: "tfstate", plan: planDiff(docs[0], docs[1], profile) }, profile };
  }
  const nixops = present.some((s) => s.nixops) && present.every((s) => s.nixops || (s.value instanceof Map && s.value.size === 0));
  const profile = nixops ? nixopsProfile(settings) : jsonProfile(settings?.secretNames);
  const value = (s: LoadedState | null): Slot => (s ? s.value : nixops ? new Map() : ABSENT);
  return { diff: diffStates(value(before), value(after), profile), profile };
}
