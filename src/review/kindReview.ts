// What the review commands do differently for a kind of state, in one table keyed by the
// row's codec (ProfileRow.layout): a Terraform state reads like a plan in diff, by address in
// textconv, and is checked against the layout Terraform writes. A kind without an entry gets
// the generic review (the NixOps and JSON rows).

import type { JsonObject, JsonValue, Slot } from "../core/values";
import type { Profile } from "../profiles/profile";
import type { ProfileRow } from "../profiles/profileRow";
import type { Problem } from "./check/problems";
import type { StateDiff } from "./semanticDiff";
import { planDiff } from "./tfstate/planDiff";
import { readableTfstate } from "./tfstate/readableTfstate";
import { checkTfstate } from "./tfstate/checkTfstate";

export interface KindReview {
  /** The semantic diff of two versions (ABSENT: the file does not exist on that side). */
  diff(before: Slot, after: Slot, profile: Profile): StateDiff;
  /** The document as people read it in `git log -p` (textconv), secrets hidden unless shown. */
  readable(value: JsonValue, profile: Profile, showSecrets: boolean): string;
  /** `check` beyond valid JSON: problems, and the text `--fix` writes when only the layout is wrong. */
  check(value: JsonValue, body: string): { problems: Problem[]; fixed: string | null };
  /** What `check --fix` says it rewrote the file in. */
  layoutName: string;
}

export const KIND_REVIEWS: Partial<Record<ProfileRow["layout"], KindReview>> = {
  tfstate: {
    diff: (before, after, profile) => ({ kind: "tfstate", plan: planDiff(before, after, profile) }),
    readable: (value, profile, showSecrets) => readableTfstate(value as JsonObject, profile, showSecrets),
    check: (value, body) => checkTfstate(value as JsonObject, body),
    layoutName: "Terraform's",
  },
};
