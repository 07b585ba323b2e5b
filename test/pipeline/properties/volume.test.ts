// Volume: at least 10,000 generated NixOps triples per run through the in-process pipeline,
// each checked for the three laws that keep state: no lost update (every change of one side
// outside a conflict is in the result, whichever side each hunk is settled to), symmetry
// (swapping ours and theirs mirrors conflicts and results, volatile values aside) and hunks
// that are JSON on either side. The counts are printed.

import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { mergeTexts, type MergeResult } from "../../../src/pipeline/mergeTexts";
import { parseJson } from "../../../src/formats/parseJson";
import type { JsonValue } from "../../../src/core/values";
import { conflictSignature, isUnder, isVolatilePath, leaves, nixopsTriple, pathOf, pickFromMarkers, tripleTexts, type Triple } from "../../support/arbitraries";

const RUNS = Number(process.env.VOLUME_RUNS ?? 10_000);
const markers = { size: 7, ours: "HEAD", base: "base", theirs: "topic", style: "merge" as const };

type Merged = Extract<MergeResult, { kind: "merged" }>;

function merge(base: string, ours: string, theirs: string): Merged {
  const r = mergeTexts({ base, ours, theirs }, { markers });
  if (r.kind !== "merged") throw new Error(`fell back: ${r.reason}`);
  return r;
}

function json(text: string): JsonValue {
  const p = parseJson(text);
  if (p.duplicates.length > 0) throw new Error("a duplicate key in a settled result");
  return p.value;
}

/** Does the record (deployment, or resource) holding this leaf exist in the document? */
function holderPresent(leafKeys: Set<string>, path: string[]): boolean {
  const holder = path[1] === "resources" && path.length >= 4 ? path.slice(0, 3) : path.slice(0, 1);
  for (const k of leafKeys) if (isUnder(pathOf(k), holder)) return true;
  return false;
}

/** Leaves changed by exactly one side (or alike by both) outside any conflict: the result must have them. */
function lostUpdates(t: Triple, result: JsonValue, conflicts: readonly (readonly string[])[]): string[] {
  const [b, o, th, m] = [leaves(t.base), leaves(t.ours), leaves(t.theirs), leaves(result)];
  const mKeys = new Set(m.keys());
  const lost: string[] = [];
  for (const key of new Set([...b.keys(), ...o.keys(), ...th.keys()])) {
    const path = pathOf(key);
    if (isVolatilePath(path) || conflicts.some((c) => isUnder(path, c))) continue;
    const [bv, ov, tv, mv] = [b.get(key), o.get(key), th.get(key), m.get(key)];
    let want: string | undefined | null = null;
    if (ov === tv) want = ov;
    else if (ov === bv) want = tv;
    else if (tv === bv) want = ov;
    if (want === null || mv === want) continue;
    // A record deleted on one side while the other only rewrote volatile values is deleted whole.
    if (mv === undefined && !holderPresent(mKeys, path)) continue;
    lost.push(`${path.join(" / ")}: base ${bv}, ours ${ov}, theirs ${tv}, result ${mv}`);
  }
  return lost;
}

describe(`volume: ${RUNS} generated NixOps triples`, () => {
  it("no lost update, symmetry, and JSON on either side of every hunk", () => {
    const counts = { triples: 0, clean: 0, withConflicts: 0, conflicts: 0, autoResolved: 0, hunksChecked: 0 };
    fc.assert(
      fc.property(nixopsTriple(), (t) => {
        const { base, ours, theirs } = tripleTexts(t);
        const ab = merge(base, ours, theirs);
        const ba = merge(base, theirs, ours);
        const paths = ab.conflicts.map((c) => c.path);
        const settled = { ours: json(pickFromMarkers(ab.text, "ours")), theirs: json(pickFromMarkers(ab.text, "theirs")) };
        counts.hunksChecked += ab.conflicts.length > 0 ? 2 : 0;
        for (const side of ["ours", "theirs"] as const) expect(lostUpdates(t, settled[side], paths), `settled to ${side}`).toEqual([]);

        expect(conflictSignature(ba.conflicts, true)).toEqual(conflictSignature(ab.conflicts));
        const nonVolatile = (v: JsonValue) => [...leaves(v)].filter(([k]) => !isVolatilePath(pathOf(k))).sort();
        expect(nonVolatile(json(pickFromMarkers(ba.text, "theirs")))).toEqual(nonVolatile(settled.ours));
        expect(nonVolatile(json(pickFromMarkers(ba.text, "ours")))).toEqual(nonVolatile(settled.theirs));

        counts.triples++;
        counts.conflicts += ab.conflicts.length;
        counts.autoResolved += ab.autoResolved.length;
        if (ab.conflicts.length === 0) counts.clean++;
        else counts.withConflicts++;
      }),
      { numRuns: RUNS },
    );
    console.log(
      `[volume] ${counts.triples} NixOps triples (x2 merges: ours/theirs swapped): ${counts.clean} clean, ${counts.withConflicts} with conflicts ` +
        `(${counts.conflicts} conflicts, ${counts.autoResolved} volatile values auto-resolved), ${counts.hunksChecked} settled sides parsed as JSON`,
    );
    expect(counts.triples).toBe(RUNS);
    expect(counts.withConflicts).toBeGreaterThan(RUNS / 20);
    expect(counts.clean).toBeGreaterThan(RUNS / 20);
  }, 600_000);
});
