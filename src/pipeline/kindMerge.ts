// Kinds whose merge needs more than the engine and a layout: rules before the record merge
// (refusals, two unrelated histories) and after it (values every run rewrites), and their
// own writer's order. One table keyed by the row's codec (ProfileRow.layout): adding a kind
// is a row, its codec and, only if it needs such rules, one entry here.

import type { Slot, Path } from "../core/values";
import type { AutoResolved, Conflict, Merged, MergeWarning, Side } from "../core/merged";
import type { Layout, Markers } from "../formats/renderDocument";
import type { Profile } from "../profiles/profile";
import type { ProfileRow } from "../profiles/profileRow";
import { mergeTfstate } from "./tfstateMerge";

export interface KindMergeInput {
  /** Parsed base, ours, theirs (ABSENT: no such side). */
  values: readonly Slot[];
  /** Their texts, BOM removed. */
  texts: readonly string[];
  /** For each side, a key it wrote twice, if any. */
  duplicateKeys: readonly (string | null)[];
  profile: Profile;
  settle?: (path: Path) => Side | undefined;
}

export type KindMergeResult =
  | { kind: "fallback"; reason: string }
  | {
      kind: "merged";
      merged: Merged;
      conflicts: Conflict[];
      autoResolved: AutoResolved[];
      warnings: MergeWarning[];
      layout: Layout;
      /** The whole file written apart from the merged value (two unrelated histories between markers). */
      wholeText?: (markers: Markers) => string;
    };

export type KindMerge = (input: KindMergeInput) => KindMergeResult;

export const KIND_MERGES: Partial<Record<ProfileRow["layout"], KindMerge>> = {
  tfstate: mergeTfstate,
};
