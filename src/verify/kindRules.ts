// Rules a kind of state sets for any merge result, beyond keeping both sides' changes: one
// table keyed by the row's codec (ProfileRow.layout). A Terraform state must keep its lineage
// and have a serial above every parent's, or `terraform state push` refuses it.

import type { Slot } from "../core/values";
import type { ProfileRow } from "../profiles/profileRow";
import { mergedStateProblems } from "./mergedStateProblems";

/** Problems of a merge result against its parents, as sentences (empty: sound). */
export type KindRules = (parents: readonly Slot[], merged: Slot) => string[];

export const KIND_RULES: Partial<Record<ProfileRow["layout"], KindRules>> = {
  tfstate: mergedStateProblems,
};
