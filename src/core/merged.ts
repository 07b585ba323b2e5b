// What the merge produces: the merged value, in which every true conflict is a Hunk holding
// what each side would put at that place; plus the list of conflicts and of auto-resolved
// volatile values, for the report.

import { ABSENT, type Embedded, type JsonNumber, type JsonValue, type Path, type Slot } from "./values";

/** A key written more than once in one input: every value it was given. */
export class Occurrences {
  /** A copy holding keys it writes twice itself is a WithCopies. */
  constructor(readonly values: Array<JsonValue | WithCopies>) {}
  get last(): JsonValue {
    const last = this.values[this.values.length - 1];
    return last instanceof WithCopies ? last.value : last;
  }
}

/**
 * A side's value at a place below which that input wrote a key more than once: the value the
 * parser kept (the last copy of each repeated key) and every copy, by path below this place.
 * A conflict over a whole deployment must still show both machines a bad hand merge wrote
 * under one name.
 */
export class WithCopies {
  constructor(
    readonly value: JsonValue,
    /** Paths below this place, keys joined by NUL, to every value written there. */
    readonly copies: ReadonlyMap<string, JsonValue[]>,
  ) {}

  /** What the input wrote at `key` of this object: every copy, the value with copies further down, or the value. */
  entry(key: string, value: JsonValue): Occurrences | WithCopies | JsonValue {
    const all = this.copies.get(key);
    if (all) return new Occurrences(all);
    const prefix = key + "\u0000";
    let below: Map<string, JsonValue[]> | null = null;
    for (const [p, values] of this.copies) if (p.startsWith(prefix)) (below ??= new Map()).set(p.slice(prefix.length), values);
    return below ? new WithCopies(value, below) : value;
  }
}

export type HunkSide = Slot | Occurrences | WithCopies;

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
  | "lineage"
  /** Two records with one name (NixOps deployments): `nixops -d NAME` cannot tell them apart. */
  | "duplicate-name"
  /** One real object at two places, each side having put it at one (Terraform: moved two ways). */
  | "same-object";

export interface Conflict {
  path: Path;
  kind: ConflictKind;
  base: HunkSide;
  ours: HunkSide;
  theirs: HunkSide;
  /** duplicate-name: the other records that have the same name. */
  sameNameAs?: Path[];
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

/** The value a hunk side stands for as a parser reads it (the last copy of a repeated key). */
export function sideValue(s: HunkSide): Slot {
  if (s instanceof Occurrences) return s.last;
  return s instanceof WithCopies ? s.value : s;
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

