// What the merge produces: the merged value, in which every true conflict is a Hunk holding
// what each side would put at that place; plus the list of conflicts and of auto-resolved
// volatile values, for the report.

import { ABSENT, type Embedded, type JsonNumber, type JsonValue, type Path, type Slot } from "./values";

/** A key written more than once in one input: every value it was given. */
export class Occurrences {
  constructor(readonly values: JsonValue[]) {}
  get last(): JsonValue {
    return this.values[this.values.length - 1];
  }
}

export type HunkSide = Slot | Occurrences;

/** One place where the two sides disagree; rendered as Git conflict markers. */
export class Hunk {
  constructor(
    readonly path: Path,
    readonly ours: HunkSide,
    readonly base: HunkSide,
    readonly theirs: HunkSide,
  ) {}
}

export type MergedObject = Map<string, Merged>;
/** Arrays hold hunks only when merged by an identity field (keyed arrays); else plain values. */
export type Merged = string | JsonNumber | boolean | null | Merged[] | Embedded | MergedObject | Hunk;

export type ConflictKind =
  | "modify/modify"
  | "add/add"
  | "delete/modify"
  | "modify/delete"
  | "identity"
  | "type"
  | "duplicate"
  /** Two different histories under one name (Terraform states with different lineages). */
  | "lineage";

export interface Conflict {
  path: Path;
  kind: ConflictKind;
  base: HunkSide;
  ours: HunkSide;
  theirs: HunkSide;
}

export interface AutoResolved {
  path: Path;
  base: Slot;
  ours: Slot;
  theirs: Slot;
  /** The side whose value was kept, when a profile's rule chose theirs (default: ours). */
  kept?: "ours" | "theirs";
}

/** Something the merge chose to do less cleverly, and why (a keyed array merged as one value). */
export interface MergeWarning {
  path: Path;
  message: string;
}

export interface MergeOutcome {
  merged: Merged | typeof ABSENT;
  conflicts: Conflict[];
  autoResolved: AutoResolved[];
  warnings: MergeWarning[];
}

export type Side = "ours" | "theirs" | "base";

function sideValue(s: HunkSide): Slot {
  return s instanceof Occurrences ? s.last : s;
}

/** The value with every hunk settled to one side (what "accept ours/theirs" gives). */
export function pickSide(m: Merged | typeof ABSENT, side: Side): Slot {
  if (m === ABSENT) return ABSENT;
  if (m instanceof Hunk) return sideValue(m[side]);
  if (m instanceof Map) {
    const out = new Map<string, JsonValue>();
    for (const [k, v] of m) {
      const picked = pickSide(v, side);
      if (picked !== ABSENT) out.set(k, picked);
    }
    return out;
  }
  if (Array.isArray(m) && containsHunk(m)) {
    const out: JsonValue[] = [];
    for (const el of m) {
      const picked = pickSide(el, side);
      if (picked !== ABSENT) out.push(picked);
    }
    return out;
  }
  return m as JsonValue;
}

export function containsHunk(m: Merged | typeof ABSENT): boolean {
  if (m instanceof Hunk) return true;
  if (m instanceof Map) {
    for (const v of m.values()) if (containsHunk(v)) return true;
  }
  if (Array.isArray(m)) return m.some(containsHunk);
  return false;
}

