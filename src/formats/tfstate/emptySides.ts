// Go writes an empty array or object as `[]` / `{}` on one line. A container whose every entry
// is a hunk, and which one side leaves empty, would be written by the renderer as "[" and "]"
// on two lines around the hunk: valid JSON on that side, but not the writers' bytes. Such a
// container becomes one hunk itself (each side written whole), so taking any side gives
// exactly what Terraform would write.

import { ABSENT } from "../../core/values";
import { Hunk, Occurrences, pickSide, type HunkSide, type Merged, type Side } from "../../core/merged";

const SIDES: Side[] = ["ours", "base", "theirs"];

function present(s: HunkSide): boolean {
  return s instanceof Occurrences ? s.values.length > 0 : s !== ABSENT;
}

export function hoistEmptyingHunks(m: Merged): Merged {
  if (m instanceof Hunk) return m;
  if (m instanceof Map) {
    const out = new Map<string, Merged>();
    for (const [k, v] of m) out.set(k, hoistEmptyingHunks(v));
    return emptiedOnSomeSide([...out.values()]) ? asHunk(out, [...out.values()]) : out;
  }
  if (Array.isArray(m)) {
    const out = m.map(hoistEmptyingHunks);
    return emptiedOnSomeSide(out) ? asHunk(out, out) : out;
  }
  return m;
}

function emptiedOnSomeSide(entries: Merged[]): boolean {
  if (entries.length === 0 || !entries.every((e) => e instanceof Hunk)) return false;
  return SIDES.some((side) => entries.every((e) => !present((e as Hunk)[side])));
}

function asHunk(container: Merged, entries: Merged[]): Hunk {
  const first = entries[0] as Hunk;
  const side = (s: Side) => pickSide(container, s);
  return new Hunk(first.path.slice(0, -1), side("ours"), side("base"), side("theirs"));
}
