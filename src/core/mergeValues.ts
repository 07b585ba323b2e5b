// Three-way merge of values and keyed records (docs/merge-rules.md, "One-sided and two-sided
// changes"). Pure: no files, no processes, no Git.
//
//   1. changed on one side only      -> that side
//   2. changed alike on both sides   -> that value
//   3. deleted vs changed            -> conflict (unless the change touched only volatile values)
//   4. added on both, different      -> merge with an empty base
//   5. changed differently on both   -> recurse into objects; a leaf is a conflict
//
// Records with an identity (NixOps resources) conflict as a whole when re-created on one side
// and changed on the other, and volatile values take ours' state, reported.

import {
  ABSENT,
  Embedded,
  isObject,
  slotOf,
  valuesEqual,
  type JsonObject,
  type JsonValue,
  type Path,
  type Slot,
} from "./values";
import {
  Hunk,
  Occurrences,
  WithCopies,
  pickSide,
  sideValue,
  type AutoResolved,
  type Conflict,
  type ConflictKind,
  type HunkSide,
  type Merged,
  type MergedObject,
  type MergeOutcome,
  type MergeWarning,
  type Side,
} from "./merged";
import { pathKey, type KnownMerge, type MergeOptions, type MergePolicy } from "./policy";
import { mergeKeyedArray, type KeyedArrayContext } from "./mergeKeyedArrays";
import { sameNameConflicts } from "./sameNames";

const EMPTY: JsonObject = new Map();

/** Merges three documents; `base` is ABSENT when there is no common ancestor. */
export function mergeDocuments(
  base: Slot,
  ours: Slot,
  theirs: Slot,
  policy: MergePolicy,
  options: MergeOptions = {},
): MergeOutcome {
  const merger = new Merger(policy, options);
  const merged = merger.mergeSlot(base, ours, theirs, [], false);
  return { merged, conflicts: merger.conflicts, autoResolved: merger.autoResolved, warnings: merger.warnings };
}

class Merger {
  readonly conflicts: Conflict[] = [];
  readonly autoResolved: AutoResolved[] = [];
  readonly warnings: MergeWarning[] = [];

  /** Paths above a key some input wrote twice: no shortcut there, or the duplicate would pass silently. */
  private readonly duplicateHolders = new Set<string>();

  constructor(
    private readonly policy: MergePolicy,
    private readonly options: MergeOptions,
  ) {
    for (const key of options.duplicates?.keys() ?? []) {
      const path = key.split("\u0000");
      for (let i = 0; i < path.length; i++) this.duplicateHolders.add(pathKey(path.slice(0, i)));
    }
  }

  /** `inner` is true inside embedded JSON, where theirs' new keys go after ours'. */
  mergeSlot(base: Slot, ours: Slot, theirs: Slot, path: Path, inner: boolean): Merged | typeof ABSENT {
    const merged = this.mergeAt(base, ours, theirs, path, inner);
    // One value on all three sides (a record no side changed): every name in it was the base's already.
    if (merged === base && base === ours && ours === theirs) return merged;
    // Checked on whatever the merge gave, shortcuts included: the record-by-record reading
    // shares a record one side changed with the base, so a document may look one-sided here.
    const nameAttribute = inner ? null : this.policy.nameAttribute?.(path) ?? null;
    if (nameAttribute === null || !(merged instanceof Map) || !isObject(ours) || !isObject(theirs)) return merged;
    const input = { merged, base: isObject(base) ? base : EMPTY, ours, theirs, path, attribute: nameAttribute };
    const checked = sameNameConflicts(input, {
      conflict: (p, b, o, t, sameNameAs) => this.conflict("duplicate-name", p, b, o, t, sameNameAs),
      warn: (w) => this.warnings.push(w),
    });
    return checked ?? merged;
  }

  private mergeAt(base: Slot, ours: Slot, theirs: Slot, path: Path, inner: boolean): Merged | typeof ABSENT {
    // Without keys written twice (the usual file) no path is looked up: this runs once per value.
    const duplicated = this.duplicateHolders.size > 0 ? this.options.duplicates?.get(pathKey(path)) : undefined;
    if (duplicated) return this.duplicateConflict(path, duplicated, base, ours, theirs);

    const holdsDuplicates = this.duplicateHolders.size > 0 && this.duplicateHolders.has(pathKey(path));
    if (!holdsDuplicates) {
      const known = base === ours && typeof theirs === "object" && theirs !== null ? this.options.knownMerges?.get(theirs) : undefined;
      if (known !== undefined && known.ours === ours) return known.merged;
      if (valuesEqual(ours, theirs)) return ours;
      // Inside embedded JSON the merged value may be re-encoded: ours' key order first, at every level.
      if (valuesEqual(base, ours)) {
        const kept = keepOursTexts(theirs, ours, this.options.knownMerges);
        return inner ? inOursKeyOrder(kept, ours) : kept;
      }
      if (valuesEqual(base, theirs)) return ours;
      // Changed on both sides, differently.
      if (this.policy.isVolatile(path)) {
        this.autoResolved.push({ path, base, ours, theirs });
        return ours;
      }
    }
    if (ours === ABSENT || theirs === ABSENT) {
      // A deletion never settles a key written twice below it: what the parser kept of the
      // copies may look unchanged while another copy is a machine no one else knows of.
      if (holdsDuplicates) return this.conflict("duplicate", path, base, ours, theirs);
      return this.deleteVersusChange(base, ours, theirs, path);
    }
    if (isObject(ours) && isObject(theirs)) return this.mergeRecord(base, ours, theirs, path, inner);
    // Embedded JSON only where every present side reads as such: a base whose text does not (cut
    // short, a key written twice) hides what each side removed from it, so the two are leaves.
    if (ours instanceof Embedded && theirs instanceof Embedded && (base === ABSENT || base instanceof Embedded)) {
      return this.mergeEmbedded(base === ABSENT ? ABSENT : base.value, ours, theirs, path);
    }
    const arrayKey = Array.isArray(ours) && Array.isArray(theirs) ? this.policy.arrayKey?.(path) : null;
    if (arrayKey) return mergeKeyedArray(arrayKey, base, ours as JsonValue[], theirs as JsonValue[], path, this.keyedContext(inner));
    return this.conflict(base === ABSENT ? "add/add" : "modify/modify", path, base, ours, theirs);
  }

  private keyedContext(inner: boolean): KeyedArrayContext {
    return {
      mergeElement: (b, o, t, p) => this.mergeSlot(b, o, t, p, inner),
      conflict: (kind, p, b, o, t) => this.conflict(kind, p, b, o, t),
      warn: (w) => this.warnings.push(w),
    };
  }

  private deleteVersusChange(base: Slot, ours: Slot, theirs: Slot, path: Path): Merged | typeof ABSENT {
    const kept = ours === ABSENT ? theirs : ours;
    const volatileOnly = this.volatileDifferences(base, kept, path);
    if (volatileOnly !== null) {
      // The surviving side only rewrote values every deploy rewrites: the deletion stands.
      for (const p of volatileOnly) this.autoResolved.push(p);
      return ABSENT;
    }
    return this.conflict(ours === ABSENT ? "delete/modify" : "modify/delete", path, base, ours, theirs);
  }

  private mergeRecord(base: Slot, ours: JsonObject, theirs: JsonObject, path: Path, inner: boolean): Merged {
    const recordConflict = inner ? null : this.policy.wholeRecordConflict?.(path, base, ours, theirs) ?? this.recordConflict(base, ours, theirs, path);
    if (recordConflict) return this.conflict(recordConflict, path, base, ours, theirs) as Merged;
    return this.mergeObjects(isObject(base) ? base : EMPTY, ours, theirs, path, inner);
  }

  /** Type and identity rules for records that stand for real machines and volumes. */
  private recordConflict(base: Slot, ours: JsonObject, theirs: JsonObject, path: Path): ConflictKind | null {
    const typeAttr = this.policy.typeAttribute(path);
    if (typeAttr !== null && !valuesEqual(slotOf(ours, typeAttr), slotOf(theirs, typeAttr))) {
      return "type";
    }
    const ids = this.policy.identityAttributes(path, ours, theirs);
    if (ids === null) return null;
    const sameIdentity = (a: JsonObject, b: JsonObject) =>
      ids.every((id) => valuesEqual(slotOf(a, id), slotOf(b, id)));
    if (!isObject(base)) return sameIdentity(ours, theirs) ? null : "add/add";
    const recreatedOurs = !sameIdentity(base, ours);
    const recreatedTheirs = !sameIdentity(base, theirs);
    if (recreatedOurs && recreatedTheirs) return sameIdentity(ours, theirs) ? null : "identity";
    if (recreatedOurs && this.volatileDifferences(base, theirs, path) === null) return "identity";
    if (recreatedTheirs && this.volatileDifferences(base, ours, path) === null) return "identity";
    return null;
  }

  private mergeObjects(base: JsonObject, ours: JsonObject, theirs: JsonObject, path: Path, inner: boolean): MergedObject {
    const out: MergedObject = new Map();
    for (const key of mergedKeyOrder(ours, theirs, inner)) {
      const m = this.mergeSlot(slotOf(base, key), slotOf(ours, key), slotOf(theirs, key), [...path, key], inner);
      if (m !== ABSENT) out.set(key, m);
    }
    return out;
  }

  /** Embedded JSON merges by value; its text is ours', else theirs', else re-encoded. */
  private mergeEmbedded(base: Slot, ours: Embedded, theirs: Embedded, path: Path): Merged | typeof ABSENT {
    const before = this.conflicts.length;
    const inner = this.mergeSlot(base, ours.value, theirs.value, path, true);
    if (this.conflicts.length === before) return this.reembed(pickSide(inner, "ours"), ours, theirs);
    const baseText = base === ABSENT ? ABSENT : new Embedded(this.policy.encodeEmbedded(base), base);
    return new Hunk(
      path,
      this.reembed(pickSide(inner, "ours"), ours, theirs),
      baseText,
      this.reembed(pickSide(inner, "theirs"), ours, theirs),
    );
  }

  private reembed(value: Slot, ours: Embedded, theirs: Embedded): Slot {
    if (value === ABSENT) return ABSENT;
    if (valuesEqual(value, ours.value)) return ours;
    if (valuesEqual(value, theirs.value)) return theirs;
    return new Embedded(this.policy.encodeEmbedded(value), value);
  }

  private conflict(
    kind: ConflictKind,
    path: Path,
    base: HunkSide,
    ours: HunkSide,
    theirs: HunkSide,
    sameNameAs?: Path[],
  ): Merged | typeof ABSENT {
    if (this.duplicateHolders.has(pathKey(path))) {
      // A conflict over a place holding a key written twice: each side shows every copy.
      [base, ours, theirs] = [this.withCopies(path, "base", base), this.withCopies(path, "ours", ours), this.withCopies(path, "theirs", theirs)];
      if ([base, ours, theirs].some((s) => s instanceof WithCopies)) kind = "duplicate";
    }
    const settled = this.options.settle?.(path);
    if (settled !== undefined) return sideValue(settled === "ours" ? ours : settled === "theirs" ? theirs : base);
    this.conflicts.push(sameNameAs ? { path, kind, base, ours, theirs, sameNameAs } : { path, kind, base, ours, theirs });
    return new Hunk(path, ours, base, theirs);
  }

  /** A side's value with every copy an input wrote below `path`, when it wrote any. */
  private withCopies(path: Path, side: Side, value: HunkSide): HunkSide {
    if (value === ABSENT || value instanceof Occurrences || value instanceof WithCopies) return value;
    const prefix = pathKey(path) + (path.length > 0 ? "\u0000" : "");
    const copies = new Map<string, JsonValue[]>();
    for (const [key, sides] of this.options.duplicates ?? []) {
      const all = sides[side];
      if (all && key.length > prefix.length && key.startsWith(prefix)) copies.set(key.slice(prefix.length), all);
    }
    return copies.size > 0 ? new WithCopies(value, copies) : value;
  }

  private duplicateConflict(
    path: Path,
    duplicated: Partial<Record<Side, JsonValue[]>>,
    base: Slot,
    ours: Slot,
    theirs: Slot,
  ): Merged | typeof ABSENT {
    const side = (name: Side, value: Slot): HunkSide => {
      const all = duplicated[name];
      return all ? new Occurrences(this.copiesInside(path, name, all)) : value;
    };
    return this.conflict("duplicate", path, side("base", base), side("ours", ours), side("theirs", theirs));
  }

  /**
   * The copies of a record written twice, each with the keys it writes twice itself. The
   * parser lists a repeated key's values copy after copy, and keeps the last of each copy's
   * own in that copy's object: so the values up to that very object are that copy's.
   */
  private copiesInside(path: Path, side: Side, copies: JsonValue[]): Array<JsonValue | WithCopies> {
    const prefix = pathKey(path) + "\u0000";
    const inside = copies.map(() => new Map<string, JsonValue[]>());
    for (const [key, sides] of this.options.duplicates ?? []) {
      const all = sides[side];
      if (!all || !key.startsWith(prefix)) continue;
      const below = key.slice(prefix.length);
      let from = 0;
      copies.forEach((copy, i) => {
        let at: JsonValue | undefined = copy;
        for (const k of below.split("\u0000")) at = isObject(at) ? at.get(k) : undefined;
        const end = at === undefined ? -1 : all.indexOf(at, from);
        if (end < 0) return;
        inside[i].set(below, all.slice(from, end + 1));
        from = end + 1;
      });
    }
    return copies.map((copy, i) => (inside[i].size > 0 ? new WithCopies(copy, inside[i]) : copy));
  }

  /**
   * The volatile paths where `changed` differs from `base`, when those are its only
   * differences (embedded JSON compared by value); null when anything else differs.
   */
  private volatileDifferences(base: Slot, changed: Slot, path: Path): AutoResolved[] | null {
    const found: AutoResolved[] = [];
    const walk = (b: Slot, c: Slot, p: Path): boolean => {
      if (valuesEqual(b, c)) return true;
      if (this.policy.isVolatile(p)) {
        found.push({ path: p, base: b, ours: c, theirs: c });
        return true;
      }
      if (b instanceof Embedded && c instanceof Embedded) return walk(b.value, c.value, p);
      if (!isObject(b) || !isObject(c)) return false;
      for (const key of new Set([...b.keys(), ...c.keys()])) {
        if (!walk(slotOf(b, key), slotOf(c, key), [...p, key])) return false;
      }
      return true;
    };
    return base !== ABSENT && walk(base, changed, path) ? found : null;
  }
}

/**
 * Theirs' value, except that embedded JSON equal by value to ours' keeps ours' exact text
 * (docs/merge-rules.md, "Embedded JSON": a blob that a deploy only re-ordered stays as ours
 * wrote it). `known`: the same, already found for some records (a reading's knownMerges).
 */
function keepOursTexts(theirs: Slot, ours: Slot, known?: ReadonlyMap<object, KnownMerge>): Slot {
  // One object on both sides (a record no one changed): nothing to look inside.
  if (theirs === ours) return theirs;
  if (theirs instanceof Embedded) return ours instanceof Embedded && valuesEqual(ours, theirs) ? ours : theirs;
  if (!isObject(theirs) || !isObject(ours)) return theirs;
  const found = known?.get(theirs);
  if (found !== undefined && found.ours === ours) return found.merged;
  let out: JsonObject | null = null;
  for (const [key, value] of theirs) {
    if (!ours.has(key)) continue;
    const kept = keepOursTexts(value, ours.get(key) as JsonValue, known);
    if (kept !== value) (out ??= new Map(theirs)).set(key, kept as JsonValue);
  }
  return out ?? theirs;
}

/** Theirs' value with its objects' keys in ours' order, theirs' new keys after them, at every level. */
export function inOursKeyOrder(theirs: Slot, ours: Slot): Slot {
  if (!isObject(theirs) || !isObject(ours)) return theirs;
  const out: JsonObject = new Map();
  for (const key of mergedKeyOrder(ours, theirs, true)) {
    if (theirs.has(key)) out.set(key, inOursKeyOrder(theirs.get(key) as JsonValue, slotOf(ours, key)) as JsonValue);
  }
  return out;
}

/**
 * Ours' keys in ours' order; a key new from theirs goes right after the key it follows in
 * theirs (or, inside embedded JSON, after all of ours' keys: docs/merge-rules.md, "Embedded
 * JSON").
 */
export function mergedKeyOrder(ours: Map<string, unknown>, theirs: Map<string, unknown>, append: boolean): string[] {
  const newFromTheirs = new Map<string | null, string[]>();
  let anchor: string | null = null;
  const appended: string[] = [];
  for (const key of theirs.keys()) {
    if (ours.has(key)) {
      anchor = key;
      continue;
    }
    if (append) {
      appended.push(key);
      continue;
    }
    const list = newFromTheirs.get(anchor);
    if (list) list.push(key);
    else newFromTheirs.set(anchor, [key]);
  }
  if (append) return [...ours.keys(), ...appended];
  const order: string[] = [...(newFromTheirs.get(null) ?? [])];
  for (const key of ours.keys()) {
    order.push(key);
    const after = newFromTheirs.get(key);
    if (after) order.push(...after);
  }
  return order;
}

