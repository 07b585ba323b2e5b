// Records people call by a name (NixOps deployments: `nixops -d NAME`) must keep distinct
// names. Two branches that each create `tenant-new` add two deployments under two UUIDs: by
// key that merges cleanly, and `nixops -d tenant-new` is then ambiguous. Pure.
//
// After a merge, a name two or more records hold is a conflict when the merge made the clash:
// not when the base already had every one of them under that name (an old clash), nor when
// one side did (that side's own file says so, and merge(b, x, b) must stay x: a warning then).
// The conflict stands at each record that is new to the name:
//   - held by one side only (created there): a hunk over the whole record, so taking ours,
//     theirs, or both blocks by hand keeps either deployment or both;
//   - held by both sides, named differently (renamed on one): a hunk at its name attribute.
// A record that is itself in conflict (as a whole, or at its name) may end up under any of its
// sides' names: a newcomer clashes with it under each of them, up front, so that settling it
// brings out no conflict nobody was shown. It is settled with its own conflict, never here.

import { ABSENT, isObject, slotOf, type JsonObject, type Path, type Slot } from "./values";
import { Hunk, sideValue, type HunkSide, type Merged, type MergedObject, type MergeWarning } from "./merged";

export interface SameNameInput {
  /** The merged entries (not changed: a copy is returned when a conflict replaces one). */
  merged: MergedObject;
  base: JsonObject;
  ours: JsonObject;
  theirs: JsonObject;
  path: Path;
  attribute: string;
}

export interface SameNameContext {
  conflict(path: Path, base: Slot, ours: Slot, theirs: Slot, sameNameAs: Path[]): Merged | typeof ABSENT;
  warn(warning: MergeWarning): void;
}

function nameOf(record: Slot | Merged | undefined, attribute: string): string | null {
  if (!isObject(record)) return null;
  const name = (record as Map<string, unknown>).get(attribute);
  return typeof name === "string" ? name : null;
}

/** The distinct names a hunk's sides hold: `name` reads one side's value. */
function sideNames(h: Hunk, name: (value: Slot) => string | null): string[] {
  const sides: HunkSide[] = [h.ours, h.base, h.theirs];
  const names = sides.map((side) => name(sideValue(side)));
  return [...new Set(names.filter((n): n is string => n !== null))];
}

/** The names a merged record may hold once settled; `inConflict`: it is itself in conflict. */
function possibleNames(record: Merged, attribute: string): { names: string[]; inConflict: boolean } {
  if (record instanceof Hunk) return { names: sideNames(record, (v) => nameOf(v, attribute)), inConflict: true };
  if (!isObject(record)) return { names: [], inConflict: false };
  const name = (record as Map<string, unknown>).get(attribute);
  if (name instanceof Hunk) return { names: sideNames(name, (v) => (typeof v === "string" ? v : null)), inConflict: true };
  return { names: typeof name === "string" ? [name] : [], inConflict: false };
}

/** Merged keys by each name their merged record holds or may hold, and the keys in conflict. */
function keysByName(out: MergedObject, attribute: string): { byName: Map<string, string[]>; inConflict: Set<string> } {
  const byName = new Map<string, string[]>();
  const inConflict = new Set<string>();
  for (const [key, record] of out) {
    const possible = possibleNames(record, attribute);
    if (possible.inConflict) inConflict.add(key);
    for (const name of possible.names) {
      const keys = byName.get(name);
      if (keys) keys.push(key);
      else byName.set(name, [key]);
    }
  }
  return { byName, inConflict };
}

/** The merged entries with the conflicts this rule finds, or null when it finds none. */
export function sameNameConflicts(input: SameNameInput, context: SameNameContext): MergedObject | null {
  const { merged, base, ours, theirs, path, attribute } = input;
  let out: MergedObject | null = null;
  const { byName, inConflict } = keysByName(merged, attribute);
  for (const [name, keys] of byName) {
    if (keys.length < 2) continue;
    const allNamed = (doc: JsonObject) => keys.every((k) => nameOf(doc.get(k), attribute) === name);
    if (allNamed(base)) continue;
    const own = allNamed(ours) ? "ours" : allNamed(theirs) ? "theirs" : null;
    if (own !== null) {
      context.warn({ path, message: `${keys.join(" and ")} are all named ${JSON.stringify(name)} in ${own} already; rename all but one` });
      continue;
    }
    const newcomers = keys.filter((k) => !inConflict.has(k) && nameOf(base.get(k), attribute) !== name);
    for (const key of newcomers) {
      const others = keys.filter((k) => k !== key).map((k) => [...path, k]);
      if (!ours.has(key) || !theirs.has(key)) {
        const m = context.conflict([...path, key], slotOf(base, key), slotOf(ours, key), slotOf(theirs, key), others);
        out ??= new Map(merged);
        if (m === ABSENT) out.delete(key);
        else out.set(key, m);
        continue;
      }
      const [b, o, t] = [base.get(key), ours.get(key), theirs.get(key)].map((r) => nameOf(r, attribute) ?? ABSENT);
      if (o === t) continue;
      out ??= new Map(merged);
      const record = new Map(out.get(key) as MergedObject);
      const m = context.conflict([...path, key, attribute], b, o, t, others);
      if (m === ABSENT) record.delete(attribute);
      else record.set(attribute, m);
      out.set(key, record);
    }
  }
  return out;
}
