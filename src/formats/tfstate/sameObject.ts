// One real object at two addresses: ours moved a resource (`terraform state mv`, a `moved`
// block) to one address and theirs moved it to another, or re-keyed one instance two ways.
// Address by address the merge sees two additions and takes both, so the merged state would
// track the object twice, and the next plan that drops either address destroys what the other
// still tracks. Like Git's rename/rename, each address only one side put the object at becomes
// a conflict: taking ours everywhere gives ours' state, theirs everywhere theirs'.
// An object is its provider configuration, type and id: an id is unique only there (two
// accounts' roles named alike), and not always then (every `random_password` has the id
// "none", files with one content share theirs). So only an object base held, and that one
// side or both no longer hold where base held it, was moved; new objects that share an id
// were not, nor one both sides keep where base held it beside a new one.

import { ABSENT, isObject, type JsonObject, type JsonValue, type Path, type Slot } from "../../core/values";
import { Hunk, sideValue, type Conflict, type Merged, type MergedObject, type Side } from "../../core/merged";
import { instancesOf, instanceSegment, resourceSegment } from "./addresses";

/** Where an object stands: its resource's and its instance's path segments. */
interface Place {
  resource: string;
  instance: string;
}

const placeKey = (p: Place) => `${p.resource}\u0000${p.instance}`;

/** Managed objects by provider configuration, type and id, with every place each stands at, among these (resource, instance) pairs. */
function objectPlaces(pairs: Iterable<{ resource: JsonObject; instance: JsonObject }>): Map<string, Place[]> {
  const out = new Map<string, Place[]>();
  for (const { resource, instance } of pairs) {
    const attributes = instance.get("attributes");
    const id = isObject(attributes) ? attributes.get("id") : undefined;
    const resourceAt = resourceSegment(resource);
    const instanceAt = instanceSegment(instance);
    if (resource.get("mode") !== "managed" || typeof id !== "string" || id === "" || resourceAt === null || instanceAt === null) continue;
    const key = `${String(resource.get("provider"))}\u0000${String(resource.get("type"))}\u0000${id}`;
    const places = out.get(key) ?? [];
    places.push({ resource: resourceAt, instance: instanceAt });
    out.set(key, places);
  }
  return out;
}

/** The (resource, instance) pairs of the merged resources with every hunk taken as `side` (no copy made). */
function* pairsTaking(resources: readonly Merged[], side: Side): Generator<{ resource: JsonObject; instance: JsonObject }> {
  const take = (m: Merged): Slot => (m instanceof Hunk ? sideValue(m[side]) : (m as JsonValue));
  for (const element of resources) {
    const resource = take(element);
    const instances = isObject(resource) ? resource.get("instances") : undefined;
    if (!isObject(resource) || !Array.isArray(instances)) continue;
    for (const i of instances as Merged[]) {
      const instance = take(i);
      if (isObject(instance)) yield { resource, instance };
    }
  }
}

/** The element of a state's keyed array at a segment, or ABSENT. */
function elementAt(elements: unknown, segment: string, segmentOf: (v: JsonValue) => string | null): Slot {
  if (!Array.isArray(elements)) return ABSENT;
  return (elements as JsonValue[]).find((e) => segmentOf(e) === segment) ?? ABSENT;
}

function resourceOf(doc: Slot, segment: string): Slot {
  return isObject(doc) ? elementAt(doc.get("resources"), segment, resourceSegment) : ABSENT;
}

/**
 * The places in `merged` that hold an object one side alone put there while the merge, with
 * either side taken in every hunk, also holds it elsewhere: each turned into a conflict
 * (`merged` changed in place; settled by `settle` where it says which side to take). Taking
 * one side everywhere then tracks each object only where that side does. Returns the conflicts added.
 */
export function sameObjectConflicts(merged: MergedObject, sides: { base: Slot; ours: Slot; theirs: Slot }, settle?: (path: Path) => Side | undefined): Conflict[] {
  const resources = merged.get("resources") as Merged[];
  const own = { ours: objectPlaces(instancesOf(sides.ours)), theirs: objectPlaces(instancesOf(sides.theirs)) };
  const before = objectPlaces(instancesOf(sides.base));
  const on = (side: "ours" | "theirs", object: string) => new Set((own[side].get(object) ?? []).map(placeKey));
  // Per side taken in every hunk: an object at two places, which neither side alone holds so,
  // is contested at each clean place only one side put it (a hunk is the user's choice already).
  const contested = new Set<string>();
  for (const side of ["ours", "theirs"] as const) {
    for (const [object, places] of objectPlaces(pairsTaking(resources, side))) {
      if (places.length < 2) continue;
      const [onOurs, onTheirs] = [on("ours", object), on("theirs", object)];
      // Not moved: new on both sides, or still where base held it on both, beside another that shares its id.
      const held = before.get(object);
      if (held === undefined || held.some((p) => onOurs.has(placeKey(p)) && onTheirs.has(placeKey(p)))) continue;
      if (places.every((p) => onOurs.has(placeKey(p))) || places.every((p) => onTheirs.has(placeKey(p)))) continue;
      for (const p of places) if (onOurs.has(placeKey(p)) !== onTheirs.has(placeKey(p))) contested.add(placeKey(p));
    }
  }
  if (contested.size === 0) return [];

  const conflicts: Conflict[] = [];
  const out: Merged[] = [];
  for (const element of resources) {
    const at = isObject(element) ? resourceSegment(element as JsonObject) : null;
    const instances = at === null ? undefined : (element as MergedObject).get("instances");
    if (at === null || !Array.isArray(instances) || !instances.some((i) => contested.has(placeKey({ resource: at, instance: instanceSegment(i as JsonValue) ?? "" })))) {
      out.push(element);
      continue;
    }
    const path = ["resources", at];
    const [base, ours, theirs] = ([sides.base, sides.ours, sides.theirs] as Slot[]).map((d) => resourceOf(d, at));
    // A resource only one side has: the whole resource is in conflict, else the instances.
    if (ours === ABSENT || theirs === ABSENT) {
      const m = conflictAt(path, base, ours, theirs, conflicts, settle);
      if (m !== ABSENT) out.push(m);
      continue;
    }
    const copy: MergedObject = new Map(element as MergedObject);
    const kept: Merged[] = [];
    for (const instance of instances as Merged[]) {
      const segment = instanceSegment(instance as JsonValue);
      if (segment === null || !contested.has(placeKey({ resource: at, instance: segment }))) {
        kept.push(instance);
        continue;
      }
      const [b, o, t] = [base, ours, theirs].map((r) => (isObject(r) ? elementAt(r.get("instances"), segment, instanceSegment) : ABSENT));
      const m = conflictAt([...path, "instances", segment], b, o, t, conflicts, settle);
      if (m !== ABSENT) kept.push(m);
    }
    copy.set("instances", kept);
    out.push(copy);
  }
  merged.set("resources", out);
  return conflicts;
}

function conflictAt(path: Path, base: Slot, ours: Slot, theirs: Slot, conflicts: Conflict[], settle?: (path: Path) => Side | undefined): Merged | typeof ABSENT {
  const settled = settle?.(path);
  if (settled !== undefined) return (settled === "ours" ? ours : settled === "theirs" ? theirs : base) as Merged | typeof ABSENT;
  conflicts.push({ path, kind: "same-object", base, ours, theirs });
  return new Hunk(path, ours, base, theirs);
}
