// What a kind's own `check` (review/kindReview.ts, KindReview.check) is given and gives back.

import type { Path } from "../../core/values";
import type { Problem } from "./problems";

/** The file a kind's check reads, already parsed by checkState. */
export interface CheckedText {
  /** The file as read (a byte-order mark included). */
  text: string;
  /** The text without its byte-order mark, as parsed. */
  body: string;
  /** Where a key of the document is written (the document itself: line 1, column 1). */
  at(path: Path): { line: number; column: number };
  /** Some object holds a key twice (checkState reports each). */
  duplicates: boolean;
}

export interface KindCheckResult {
  problems: Problem[];
  /** The file in the kind's layout, when the only problems are layout ones (what --fix writes). */
  fixed: string | null;
}
