// A profile is what the engine needs to know about one kind of file: its merge policy, where
// secrets live, where a repeated key stands for a whole record, and how to name a place.

import type { MergePolicy } from "../core/policy";
import type { Path, Slot } from "../core/values";

export interface Profile {
  name: "nixops" | "json" | "tfstate";
  policy: MergePolicy;
  isSecretPath(path: Path): boolean;
  /** A key written twice here is a conflict at that record; elsewhere the merge falls back. */
  duplicateIsRecord(path: Path): boolean;
  /** A place in words, for one-line messages ("deployment prod (uuid), resource app1, ..."). */
  describePath(path: Path, documents: readonly Slot[]): string;
}
