// What the review commands do differently for a kind of state, in one table keyed by the
// row's codec (ProfileRow.layout): a NixOps export diffs per deployment and resource; a
// Terraform state reads like a plan in diff, by address in textconv, and is checked against
// the layout Terraform writes. A kind without an entry, or an entry without a field, gets the
// generic review (changes by path, the document with keys sorted).

import { ABSENT, type JsonObject, type JsonValue, type Slot } from "../core/values";
import type { Profile } from "../profiles/profile";
import type { ProfileRow } from "../profiles/profileRow";
import type { CheckedText, KindCheckResult } from "./check/kindCheck";
import { checkNixops } from "./check/checkNixops";
import { diffNixopsStates, type StateDiff } from "./semanticDiff";
import { planDiff } from "./tfstate/planDiff";
import { readableTfstate } from "./tfstate/readableTfstate";
import { checkTfstate } from "./tfstate/checkTfstate";

export interface KindReview {
  /** The semantic diff of two versions (ABSENT: the file does not exist on that side), embedded JSON decoded. */
  diff?(before: Slot, after: Slot, profile: Profile): StateDiff;
  /** The document as people read it in `git log -p` (textconv), secrets hidden unless shown. */
  readable?(value: JsonValue, profile: Profile, showSecrets: boolean): string;
  /** `check` beyond valid JSON, for a document of this kind (review/check/checkState.ts says which). */
  check?: {
    /** Problems, and the text `--fix` writes when only the layout is wrong. */
    run(value: JsonValue, checked: CheckedText): KindCheckResult;
    /** What `check --fix` says it rewrote the file in. */
    layoutName: string;
    /**
     * Runs on a document holding a key twice too. When not, such a document is checked as a
     * declared NixOps state file if it is one, else generically (a policy's profile runs its
     * check whatever the document holds).
     */
    takesDuplicates: boolean;
  };
}

/**
 * The kind's own review of these documents, when its merge reads them by record; else the
 * generic one (a version 3 or encrypted Terraform state has no resources to read as a plan).
 */
export function kindReviewOf(row: ProfileRow, documents: readonly Slot[]): KindReview {
  const byRecord = documents.every((d) => d === ABSENT || (row.mergesByRecord?.(d) ?? true));
  return (byRecord ? KIND_REVIEWS[row.layout] : undefined) ?? {};
}

export const KIND_REVIEWS: Partial<Record<ProfileRow["layout"], KindReview>> = {
  nixops: {
    diff: diffNixopsStates,
    check: { run: checkNixops, layoutName: "nixops export", takesDuplicates: true },
  },
  tfstate: {
    diff: (before, after, profile) => ({ kind: "tfstate", plan: planDiff(before, after, profile) }),
    readable: (value, profile, showSecrets) => readableTfstate(value as JsonObject, profile, showSecrets),
    check: { run: (value, checked) => checkTfstate(value as JsonObject, checked.body), layoutName: "Terraform's", takesDuplicates: false },
  },
};
