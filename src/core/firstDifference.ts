// Where two values first differ (by value: key order and embedded-JSON spelling do not
// count), as a path, so a message can say where without printing either value.

import { ABSENT, Embedded, isObject, valuesEqual, type Path, type Slot } from "./values";

/** `skip` names places whose difference does not count (a conflict about to be replaced). */
export function firstDifference(a: Slot, b: Slot, path: Path = [], skip: (path: Path) => boolean = () => false): Path | null {
  if (skip(path) || valuesEqual(a, b)) return null;
  const x = a instanceof Embedded ? a.value : a;
  const y = b instanceof Embedded ? b.value : b;
  if (isObject(x) && isObject(y)) {
    for (const key of new Set([...x.keys(), ...y.keys()])) {
      const d = firstDifference(x.get(key) ?? ABSENT, y.get(key) ?? ABSENT, [...path, key], skip);
      if (d) return d;
    }
  }
  return path;
}
