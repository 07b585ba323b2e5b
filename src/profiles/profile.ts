// A profile is a row of the profile table made usable by the engine: its merge policy, where
// secrets live, where a repeated key stands for a whole record, and how to name a place.

import type { MergePolicy } from "../core/policy";
import type { Path, Slot } from "../core/values";
import type { Overlay, ProfileName } from "./overlay";
import type { ProfileRow } from "./profileRow";

export interface Profile {
  name: ProfileName;
  row: ProfileRow;
  overlay: Overlay;
  policy: MergePolicy;
  /** Secret in any profile the file could be read with, or named by the policy file. */
  isSecretPath(path: Path): boolean;
  /** The path with every key below a secret place replaced by its hash, for anything people or scripts read. */
  shownPath(path: Path): Path;
  /** True when shownPath hides the keys directly below this place (a secret place keyed by data). */
  hidesKeysBelow(path: Path): boolean;
  /** Embedded JSON that holds secrets inside (in any profile): hidden whole when it does not parse. */
  holdsSecrets(path: Path): boolean;
  /** A key written twice here is a conflict at that record; elsewhere the merge falls back. */
  duplicateIsRecord(path: Path): boolean;
  /** A place in words, for one-line messages ("deployment prod (uuid), resource app1, ..."), keys as shownPath shows them unless secrets are shown. */
  describePath(path: Path, documents: readonly Slot[], showSecrets?: boolean): string;
}
