// Two values "equal as state": equal as values (key order, number text and embedded-JSON
// layout do not matter) except at volatile paths, which every deploy rewrites. Pure.

import { Embedded, isObject, slotOf, valuesEqual, type Path, type Slot } from "../core/values";
import type { MergePolicy } from "../core/policy";

export function equalAsState(a: Slot, b: Slot, path: Path, policy: MergePolicy): boolean {
  if (valuesEqual(a, b) || policy.isVolatile(path)) return true;
  if (a instanceof Embedded && b instanceof Embedded) return equalAsState(a.value, b.value, path, policy);
  if (isObject(a) && isObject(b)) {
    for (const key of new Set([...a.keys(), ...b.keys()])) {
      if (!equalAsState(slotOf(a, key), slotOf(b, key), [...path, key], policy)) return false;
    }
    return true;
  }
  if (Array.isArray(a) && Array.isArray(b)) {
    return a.length === b.length && a.every((x, i) => equalAsState(x, b[i], [...path, String(i)], policy));
  }
  return false;
}
