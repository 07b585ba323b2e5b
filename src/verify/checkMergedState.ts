// Is a committed merge result right, as state? It is compared with the driver's structured
// merge of the same base and parents. Equal as state passes. Every other difference must lie
// inside a true conflict and be settled to one side, to the base, or to a value that keeps
// both sides' changes; anything else is a finding naming the place and what happened:
// a lost update, an orphaned record, a stitched record, a record twice, an invented value.
// Pure: values in, findings out (their values shown through the redaction, secrets hashed).

import { ABSENT, Embedded, isObject, slotOf, valuesEqual, type JsonObject, type JsonValue, type Path, type Slot } from "../core/values";
import { pathKey, type KeyFields } from "../core/policy";
import { elementSegment, identityOf } from "../core/mergeKeyedArrays";
import type { Profile } from "../profiles/profile";
import { shortText } from "../report/redact";
import { equalAsState } from "./equalAsState";
import type { Finding, FindingKind } from "./findings";

export interface MergeToCheck {
  base: Slot;
  ours: Slot;
  theirs: Slot;
  /** The structured merge, every true conflict settled to ours. */
  expected: Slot;
  /** Where the structured merge found true conflicts. */
  conflictPaths: readonly Path[];
  /** The committed result. */
  result: Slot;
  /** Keys the committed result writes more than once. */
  resultDuplicates: readonly Path[];
}

type SideName = "ours" | "theirs";

export function checkMergedState(m: MergeToCheck, profile: Profile): Finding[] {
  return new Checker(m, profile).run();
}

const unwrap = (v: Slot): Slot => (v instanceof Embedded ? v.value : v);

class Checker {
  private readonly findings: Finding[] = [];
  private readonly conflicts: Set<string>;
  private readonly duplicated: Set<string>;
  private readonly documents: Slot[];

  constructor(
    private readonly m: MergeToCheck,
    private readonly profile: Profile,
  ) {
    this.conflicts = new Set(m.conflictPaths.map(pathKey));
    this.duplicated = new Set(m.resultDuplicates.map(pathKey));
    this.documents = [m.base, m.ours, m.theirs, m.result];
  }

  run(): Finding[] {
    for (const path of this.m.resultDuplicates) this.add("duplicate", path, "present twice in the result (the same key written twice)");
    this.walk([], this.m.base, this.m.ours, this.m.theirs, this.m.expected, this.m.result);
    return this.findings;
  }

  private get policy() {
    return this.profile.policy;
  }

  private same(a: Slot, b: Slot, path: Path): boolean {
    return equalAsState(a, b, path, this.policy);
  }

  private add(kind: FindingKind, path: Path, what: string): void {
    this.findings.push({ kind, path: [...this.profile.shownPath(path)], message: `${this.profile.describePath(path, this.documents)}: ${what}` });
  }

  private show(v: Slot, path: Path): string {
    return shortText(v, path, this.profile);
  }

  /** Compares the result with the expected value at `path`, where no conflict was settled above. */
  private walk(path: Path, b: Slot, o: Slot, t: Slot, e: Slot, r: Slot): void {
    const key = pathKey(path);
    if (this.duplicated.has(key) || this.policy.isVolatile(path)) return;
    if (this.conflicts.has(key)) return this.settled(path, b, o, t, r);
    if (this.same(e, r, path)) return;
    if (e instanceof Embedded && r instanceof Embedded) return this.walk(path, unwrap(b), unwrap(o), unwrap(t), e.value, r.value);
    if (isObject(e) && isObject(r)) {
      if (this.stitched(path, b, o, t, r)) return;
      for (const k of new Set([...e.keys(), ...r.keys()])) this.walk([...path, k], at(b, k), at(o, k), at(t, k), slotOf(e, k), slotOf(r, k));
      return;
    }
    const keyed = this.keyedViews(path, [b, o, t, e, r]);
    if (keyed) return this.walk(path, keyed[0], keyed[1], keyed[2], keyed[3], keyed[4]);
    this.difference(path, b, o, t, e, r);
  }

  /**
   * At a true conflict: the result may hold either side, the base, or a value that keeps
   * both sides' changes (checked key by key, three-way).
   */
  private settled(path: Path, b: Slot, o: Slot, t: Slot, r: Slot): void {
    if (this.same(r, o, path) || this.same(r, t, path) || this.same(r, b, path)) return;
    if (o instanceof Embedded && t instanceof Embedded && r instanceof Embedded) return this.settled(path, unwrap(b), o.value, t.value, r.value);
    if (isObject(r) && isObject(o) && isObject(t)) {
      if (this.stitched(path, b, o, t, r)) return;
      const typeAttr = this.policy.typeAttribute(path);
      if (typeAttr !== null && !valuesEqual(slotOf(o, typeAttr), slotOf(t, typeAttr))) {
        return this.add("invented", path, "a true conflict (the resource type differs) settled to a mixture of both sides' records");
      }
      for (const k of new Set([...keysOf(b), ...o.keys(), ...t.keys(), ...r.keys()])) this.threeWay([...path, k], at(b, k), slotOf(o, k), slotOf(t, k), slotOf(r, k));
      return;
    }
    const keyed = this.keyedViews(path, [b, o, t, r]);
    if (keyed) return this.settled(path, keyed[0], keyed[1], keyed[2], keyed[3]);
    if (Array.isArray(r) && Array.isArray(o) && Array.isArray(t) && keepsBothArrayChanges(b, o, t, r, path, this.policy)) return;
    this.add("invented", path, `a true conflict settled to a value neither side had: ${this.show(r, path)} (ours ${this.show(o, path)}, theirs ${this.show(t, path)})`);
  }

  /** Inside a settled conflict: what the three-way rule expects of one key. */
  private threeWay(path: Path, b: Slot, o: Slot, t: Slot, r: Slot): void {
    if (this.policy.isVolatile(path)) return;
    if (this.same(o, t, path)) return this.walk(path, b, o, t, o, r);
    if (this.same(b, o, path)) return this.walk(path, b, o, t, t, r);
    if (this.same(b, t, path)) return this.walk(path, b, o, t, o, r);
    this.settled(path, b, o, t, r);
  }

  /**
   * A record that says which real machine it is (identity attributes) whose identity comes
   * from one side while attributes that only the other side changed come from that other side.
   */
  private stitched(path: Path, b: Slot, o: Slot, t: Slot, r: JsonObject): boolean {
    if (!isObject(o) || !isObject(t)) return false;
    const ids = this.policy.identityAttributes(path, o, t);
    if (ids === null) return false;
    const idsEqual = (x: JsonObject, y: JsonObject) => ids.every((id) => valuesEqual(slotOf(x, id), slotOf(y, id)));
    if (idsEqual(o, t)) return false;
    const sides: Record<SideName, JsonObject> = { ours: o, theirs: t };
    let idSide: SideName;
    if (idsEqual(r, o)) idSide = "ours";
    else if (idsEqual(r, t)) idSide = "theirs";
    else {
      const fromOurs = ids.filter((id) => valuesEqual(slotOf(r, id), slotOf(o, id)) && !valuesEqual(slotOf(r, id), slotOf(t, id)));
      const fromTheirs = ids.filter((id) => valuesEqual(slotOf(r, id), slotOf(t, id)) && !valuesEqual(slotOf(r, id), slotOf(o, id)));
      if (fromOurs.length === 0 || fromTheirs.length === 0) return false;
      this.add("stitched", path, `stitched: identity attributes ${fromOurs.join(", ")} from ours and ${fromTheirs.join(", ")} from theirs, two different machines in one record`);
      return true;
    }
    const other: SideName = idSide === "ours" ? "theirs" : "ours";
    const x = sides[idSide];
    const y = sides[other];
    const base = isObject(b) ? b : new Map<string, JsonValue>();
    // The base's keys too: an attribute the other side deleted, and the result lacks, is taken from that side.
    const fromOther = [...new Set([...y.keys(), ...r.keys(), ...base.keys()])].filter((k) => {
      if (ids.includes(k) || this.policy.isVolatile([...path, k])) return false;
      const rk = slotOf(r, k);
      const yk = slotOf(y, k);
      return this.same(rk, yk, [...path, k]) && !this.same(rk, slotOf(x, k), [...path, k]) && !this.same(yk, slotOf(base, k), [...path, k]);
    });
    if (fromOther.length === 0) return false;
    const shownIds = ids.filter((id) => x.has(id)).join(", ") || ids.join(", ");
    const list = fromOther.length > 4 ? `${fromOther.slice(0, 4).join(", ")} and ${fromOther.length - 4} more` : fromOther.join(", ");
    this.add("stitched", path, `stitched: identity (${shownIds}) from ${idSide}, ${list} from ${other}: two different machines in one record`);
    return true;
  }

  /** Arrays merged by an identity field, as maps from element to element (null when not such arrays). */
  private keyedViews(path: Path, values: Slot[]): Slot[] | null {
    const field = this.policy.arrayKey?.(path);
    if (!field || !values.some(Array.isArray) || !values.every((v) => v === ABSENT || Array.isArray(v))) return null;
    const maps = values.map((v, i) => (v === ABSENT ? ABSENT : this.byIdentity(v as JsonValue[], field, path, i === values.length - 1)));
    return maps.some((m) => m === null) ? null : (maps as Slot[]);
  }

  private byIdentity(elements: readonly JsonValue[], field: KeyFields, path: Path, isResult: boolean): JsonObject | null {
    const out: JsonObject = new Map();
    for (const el of elements) {
      const id = identityOf(el, field);
      if (id === null) return null;
      const segment = elementSegment(field, id);
      if (out.has(segment)) {
        if (isResult) {
          this.add("duplicate", [...path, segment], "present twice in the result");
          this.duplicated.add(pathKey([...path, segment]));
        }
        continue;
      }
      out.set(segment, el);
    }
    return out;
  }

  /** A leaf the result has differently from the structured merge, outside any true conflict. */
  private difference(path: Path, b: Slot, o: Slot, t: Slot, e: Slot, r: Slot): void {
    const changedBy = (): SideName[] => (["ours", "theirs"] as const).filter((s) => !this.same(s === "ours" ? o : t, b, path));
    const value = (s: SideName) => (s === "ours" ? o : t);
    if (r === ABSENT) {
      if (isObject(e) && b !== ABSENT && o !== ABSENT && t !== ABSENT) {
        const what = path.length === 3 && path[1] === "resources" ? "orphaned resource" : "orphaned record";
        return this.add("orphaned", path, `${what}: vanished from the result although neither side deleted it`);
      }
      const sides = changedBy();
      const did = sides.map((s) => `${s} ${b === ABSENT ? "added" : "changed it to"} ${this.show(value(s), path)}`).join(" and ");
      return this.add("lost-update", path, `lost update: ${did || "both sides kept it"}; the result does not have it`);
    }
    if (e === ABSENT) {
      const deleters = (["ours", "theirs"] as const).filter((s) => value(s) === ABSENT);
      if (b !== ABSENT && deleters.length > 0) {
        return this.add("lost-update", path, `lost update: ${deleters.join(" and ")} deleted it; the result still has ${this.show(r, path)}`);
      }
      return this.add("invented", path, `the result holds ${this.show(r, path)}, which neither side has`);
    }
    const sides = changedBy();
    if (sides.length === 0 || this.same(r, o, path) || this.same(r, t, path) || this.same(r, b, path)) {
      const lost = sides.filter((s) => !this.same(r, value(s), path));
      if (lost.length > 0) {
        const did = lost.map((s) => `${s} ${b === ABSENT ? "added" : `changed it from ${this.show(b, path)} to`} ${this.show(value(s), path)}`).join(" and ");
        return this.add("lost-update", path, `lost update: ${did}; the result has ${this.show(r, path)}`);
      }
    }
    this.add("invented", path, `the result has ${this.show(r, path)}, which neither side has (expected ${this.show(e, path)})`);
  }
}

function at(v: Slot, key: string): Slot {
  const inner = unwrap(v);
  return isObject(inner) ? slotOf(inner, key) : ABSENT;
}

function keysOf(v: Slot): Iterable<string> {
  const inner = unwrap(v);
  return isObject(inner) ? inner.keys() : [];
}

/** A plain array settled by hand: holds what either side added and lacks what either removed. */
function keepsBothArrayChanges(b: Slot, o: JsonValue[], t: JsonValue[], r: JsonValue[], path: Path, policy: Profile["policy"]): boolean {
  const base = Array.isArray(b) ? b : [];
  const has = (list: readonly JsonValue[], x: JsonValue) => list.some((y) => equalAsState(x, y, path, policy));
  const added = [...o, ...t].filter((x) => !has(base, x));
  const removed = base.filter((x) => !has(o, x) || !has(t, x));
  return added.every((x) => has(r, x)) && removed.every((x) => !has(r, x)) && r.every((x) => has(o, x) || has(t, x));
}
