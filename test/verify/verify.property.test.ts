// The two promises of `verify`, over generated NixOps merges (test/support/arbitraries.ts):
//   1. a merge the driver made (each true conflict settled to any side) always passes;
//   2. a clean line merge (what a forge's button does, here real `git merge-file`) passes
//      exactly when it equals the driver's merge as state outside the true conflicts and
//      settles each conflict to a side. The oracle reads leaves independently of src/.

import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { mergeTexts } from "../../src/pipeline/mergeTexts";
import { parseJson } from "../../src/formats/parseJson";
import { PLAIN_MARKERS } from "../../src/resolve/remerge";
import { verifyFileMerge } from "../../src/verify/verifyFile";
import { lineMerge } from "../../src/verify/lineMerge";
import { applyEdits, edit, isUnder, isVolatilePath, leaves, nixopsState, nixopsTriple, pathOf, tripleTexts, type Edit, type Triple } from "../support/arbitraries";

const RUNS = Number(process.env.VERIFY_PROPERTY_RUNS ?? 150);
const SIDES = ["ours", "theirs", "base"] as const;

function verdict(base: string, ours: string, theirs: string, result: string) {
  return verifyFileMerge({ base: Buffer.from(base), ours: Buffer.from(ours), theirs: Buffer.from(theirs), result: Buffer.from(result) }, {});
}

/** Leaves of a state outside volatile paths and outside the given subtrees. */
function leavesOutside(text: string, excluded: readonly (readonly string[])[]): Map<string, string> {
  const all = leaves(parseJson(text).value);
  for (const key of [...all.keys()]) {
    const path = pathOf(key);
    if (isVolatilePath(path) || excluded.some((p) => isUnder(path, p))) all.delete(key);
  }
  return all;
}

function leavesUnder(text: string, prefix: readonly string[]): Map<string, string> {
  const all = leaves(parseJson(text).value);
  return new Map([...all].filter(([k]) => isUnder(pathOf(k), prefix) && !isVolatilePath(pathOf(k))));
}

/**
 * What a forge's line merge gets wrong most: one side re-creates a machine, the other changes
 * an attribute of the old one a few lines away (a stitched record when the lines do not meet).
 */
function forgeHazardTriple(): fc.Arbitrary<Triple> {
  return fc
    .record({
      base: nixopsState(),
      d: fc.nat(2),
      r: fc.nat(4),
      attr: fc.constantFrom("description", "note", "state", "index", "stateVersion"),
      value: fc.constantFrom("7", "changed", "café"),
      creationTime: fc.integer({ min: 1_600_000_000, max: 1_800_000_000 }).map(String),
      vmId: fc.constantFrom("i-0aaaaaaaaaaaaaaaa", "i-0bbbbbbbbbbbbbbbb"),
      ip: fc.constantFrom("192.0.2.1", "192.0.2.2"),
      more: fc.array(edit(), { maxLength: 2 }),
      separators: fc.constantFrom("py3" as const, "py2" as const),
    })
    .map(({ base, d, r, attr, value, creationTime, vmId, ip, more, separators }) => {
      const oursEdits: Edit[] = [{ kind: "recreateResource", d, r, creationTime, vmId, ip }];
      const theirsEdits: Edit[] = [{ kind: "setAttr", d, r, attr, value }, ...more];
      return { base, ours: applyEdits(base, oursEdits), theirs: applyEdits(base, theirsEdits), separators, oursEdits, theirsEdits };
    });
}

const sameMap = (a: Map<string, string>, b: Map<string, string>) => a.size === b.size && [...a].every(([k, v]) => b.get(k) === v);

describe("verify over generated merges", () => {
  it("a merge the driver made always passes, whichever side each true conflict was settled to", () => {
    fc.assert(
      fc.property(fc.oneof(nixopsTriple(), forgeHazardTriple()), fc.array(fc.constantFrom(...SIDES), { minLength: 1, maxLength: 8 }), (triple, choices) => {
        const t = tripleTexts(triple);
        let i = 0;
        const merged = mergeTexts(t, { markers: PLAIN_MARKERS, settle: () => choices[i++ % choices.length] });
        if (merged.kind !== "merged") return;
        expect(verdict(t.base, t.ours, t.theirs, merged.text)).toEqual({ status: "pass" });
      }),
      { numRuns: RUNS },
    );
  }, 300_000);

  it("a clean line merge is caught exactly when it differs from the driver's merge as state", () => {
    let compared = 0;
    let caught = 0;
    fc.assert(
      fc.property(fc.oneof(nixopsTriple(), forgeHazardTriple()), (triple) => {
        const t = tripleTexts(triple);
        const line = lineMerge(Buffer.from(t.base), Buffer.from(t.ours), Buffer.from(t.theirs));
        if (line.conflicts > 0) return;
        const driver = mergeTexts(t, { markers: PLAIN_MARKERS, settle: () => "ours" });
        const unsettled = mergeTexts(t, { markers: PLAIN_MARKERS });
        if (driver.kind !== "merged" || unsettled.kind !== "merged") return;
        const conflictPaths = unsettled.conflicts.map((c) => c.path);
        const lineText = line.text.toString();
        const v = verdict(t.base, t.ours, t.theirs, lineText);
        // A key written twice is wrong whatever its last copy says (JSON readers keep one silently).
        const outsideEqual = parseJson(lineText).duplicates.length === 0 && sameMap(leavesOutside(lineText, conflictPaths), leavesOutside(driver.text, conflictPaths));
        const settledToASide = conflictPaths.every((p) => [t.ours, t.theirs, t.base].some((side) => sameMap(leavesUnder(lineText, p), leavesUnder(side, p))));
        // A record conflicting as a whole (re-created on one side) admits no mixture of the two.
        const wholeRecordMixed = unsettled.conflicts.some(
          (c) => (c.kind === "identity" || c.kind === "type") && ![t.ours, t.theirs, t.base].some((side) => sameMap(leavesUnder(lineText, c.path), leavesUnder(side, c.path))),
        );
        compared++;
        if (!outsideEqual || wholeRecordMixed) {
          caught++;
          expect(v.status).toBe("fail");
        } else if (settledToASide) {
          expect(v).toEqual({ status: "pass" });
        }
      }),
      { numRuns: RUNS },
    );
    // The generator must reach both kinds of case, or the property says nothing.
    expect(compared).toBeGreaterThan(RUNS / 10);
    expect(caught).toBeGreaterThan(0);
  }, 300_000);
});
