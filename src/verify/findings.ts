// What `verify` can find wrong with one state file of one merge, in words and for scripts.

import type { Path } from "../core/values";

export type FindingKind =
  /** A change made on one side only is missing from the result. */
  | "lost-update"
  /** A record vanished although neither side deleted it. */
  | "orphaned"
  /** A record's identity comes from one side and other attributes from the other. */
  | "stitched"
  /** A record or key present twice. */
  | "duplicate"
  /** The file is not valid state any more (conflict markers, broken JSON). */
  | "invalid"
  /** A value neither side had, outside any way of settling a conflict. */
  | "invented"
  /** The result breaks a rule of its kind of state (a Terraform serial not above both parents, a changed lineage). */
  | "state-rule"
  /** The merge cannot be checked (octopus, criss-cross with unknown base, an input not mergeable). */
  | "unverifiable";

export interface Finding {
  kind: FindingKind;
  /** Where in the document (empty for the whole file). */
  path: string[];
  /** One line: the place in words, then what happened (secrets hashed). */
  message: string;
}

export function wholeFileFinding(kind: FindingKind, message: string, path: Path = []): Finding {
  return { kind, path: [...path], message };
}
