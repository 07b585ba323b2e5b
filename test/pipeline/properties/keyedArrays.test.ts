// Laws of keyed arrays, checked on random tenant lists edited on two branches (adds, deletes,
// field changes, from small pools so that the two sides collide):
//   - symmetry: swapping ours and theirs swaps the sides of the result, nothing else;
//   - no lost update: every tenant and field changed on one side only is in the result, and
//     the conflicts are exactly where both sides changed one thing differently;
//   - the rendered file is valid JSON on either side of every hunk.

import { overlayOf } from "../../../src/profiles/overlay";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { mergeDocuments } from "../../../src/core/mergeValues";
import { PLAIN_POLICY, type MergePolicy } from "../../../src/core/policy";
import { pickSide, type MergeOutcome } from "../../../src/core/merged";
import type { JsonValue } from "../../../src/core/values";
import { parseJson } from "../../../src/formats/parseJson";
import { mergeTexts } from "../../../src/pipeline/mergeTexts";
import { parsePlain, plain, takeSide } from "../../support/tenants";

interface T {
  id: string;
  plan: number;
  name: string;
}
type Doc = { tenants: T[] };

const IDS = ["a", "b", "c", "d", "e", "f"];
const plan = fc.integer({ min: 0, max: 2 });
const name = fc.constantFrom("x", "y", "z");

const baseDoc: fc.Arbitrary<Doc> = fc
  .uniqueArray(fc.constantFrom(...IDS), { maxLength: 5 })
  .chain((ids) => fc.tuple(...ids.map((id) => fc.record({ id: fc.constant(id), plan, name }))))
  .map((tenants) => ({ tenants }));

type Edit =
  | { kind: "keep" }
  | { kind: "delete" }
  | { kind: "plan"; value: number }
  | { kind: "name"; value: string }
  | { kind: "add"; plan: number; name: string; at: number };

const edit: fc.Arbitrary<Edit> = fc.oneof(
  { weight: 3, arbitrary: fc.constant({ kind: "keep" as const }) },
  { weight: 1, arbitrary: fc.constant({ kind: "delete" as const }) },
  { weight: 2, arbitrary: plan.map((value) => ({ kind: "plan" as const, value })) },
  { weight: 2, arbitrary: name.map((value) => ({ kind: "name" as const, value })) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant("add" as const), plan, name, at: fc.nat(6) }) },
);

/** A branch: one edit per id of the pool (adds apply to ids not in the base). */
function applyEdits(base: Doc, edits: Edit[]): Doc {
  const tenants: T[] = [];
  for (const t of base.tenants) {
    const e = edits[IDS.indexOf(t.id)];
    if (e.kind === "delete") continue;
    tenants.push(e.kind === "plan" ? { ...t, plan: e.value } : e.kind === "name" ? { ...t, name: e.value } : { ...t });
  }
  IDS.forEach((id, i) => {
    const e = edits[i];
    if (e.kind === "add" && !base.tenants.some((t) => t.id === id)) tenants.splice(e.at % (tenants.length + 1), 0, { id, plan: e.plan, name: e.name });
  });
  return { tenants };
}

const triple = baseDoc.chain((base) =>
  fc.tuple(fc.array(edit, { minLength: 6, maxLength: 6 }), fc.array(edit, { minLength: 6, maxLength: 6 })).map(([o, t]) => ({
    base,
    ours: applyEdits(base, o),
    theirs: applyEdits(base, t),
  })),
);

const policy: MergePolicy = { ...PLAIN_POLICY, arrayKey: (path) => (path.length === 1 && path[0] === "tenants" ? "id" : null) };
const value = (d: Doc): JsonValue => parseJson(JSON.stringify(d)).value;
const merge = (b: Doc, o: Doc, t: Doc): MergeOutcome => mergeDocuments(value(b), value(o), value(t), policy);
const view = (r: MergeOutcome, side: "ours" | "theirs"): Doc => plain(pickSide(r.merged, side) as JsonValue) as Doc;
const byId = (d: Doc) => new Map(d.tenants.map((t) => [t.id, t]));
const same = (a: T | undefined, b: T | undefined) => JSON.stringify(a) === JSON.stringify(b);
const conflictKeys = (r: MergeOutcome, swap = false) =>
  r.conflicts
    .map((c) => c.path.join("/") + " " + (swap ? c.kind.replace(/^(delete|modify)\/(delete|modify)$/, "$2/$1") : c.kind))
    .sort();

/** The expected result, worked out field by field from the three versions alone. */
function oracle(b: Doc, o: Doc, t: Doc): { tenants: Map<string, T>; conflicts: string[] } {
  const [bm, om, tm] = [byId(b), byId(o), byId(t)];
  const tenants = new Map<string, T>();
  const conflicts: string[] = [];
  for (const id of new Set([...om.keys(), ...tm.keys(), ...bm.keys()])) {
    const [be, oe, te] = [bm.get(id), om.get(id), tm.get(id)];
    const at = `tenants/[id="${id}"]`;
    let result: T | undefined;
    if (same(oe, te)) result = oe;
    else if (same(be, oe)) result = te;
    else if (same(be, te)) result = oe;
    else if (!be || !oe || !te) {
      conflicts.push(`${at} ${!be ? "add/add" : !oe ? "delete/modify" : "modify/delete"}`);
      continue;
    } else {
      const merged = { ...be };
      for (const f of ["plan", "name"] as const) {
        if (oe[f] === te[f] || be[f] === te[f]) (merged as Record<string, unknown>)[f] = oe[f];
        else if (be[f] === oe[f]) (merged as Record<string, unknown>)[f] = te[f];
        else conflicts.push(`${at}/${f} modify/modify`);
      }
      result = merged;
    }
    if (result) tenants.set(id, result);
  }
  return { tenants, conflicts: conflicts.sort() };
}

describe("keyed array laws", () => {
  it("symmetry: swapping ours and theirs swaps the sides of the result", () => {
    fc.assert(
      fc.property(triple, ({ base, ours, theirs }) => {
        const r1 = merge(base, ours, theirs);
        const r2 = merge(base, theirs, ours);
        expect(conflictKeys(r2)).toEqual(conflictKeys(r1, true));
        for (const [a, b] of [["ours", "theirs"], ["theirs", "ours"]] as const) {
          expect(byId(view(r2, a))).toEqual(byId(view(r1, b)));
        }
      }),
      { numRuns: 400 },
    );
  });

  it("no lost update: one-sided changes are kept, conflicts are exactly the two-sided ones", () => {
    fc.assert(
      fc.property(triple, ({ base, ours, theirs }) => {
        const r = merge(base, ours, theirs);
        const expected = oracle(base, ours, theirs);
        expect(conflictKeys(r)).toEqual(expected.conflicts);
        // Everything not in conflict is in both views of the result.
        for (const side of ["ours", "theirs"] as const) {
          const got = byId(view(r, side));
          for (const [id, t] of expected.tenants) {
            if (!expected.conflicts.some((c) => c.startsWith(`tenants/[id="${id}"]`))) expect(got.get(id)).toEqual(t);
          }
          for (const id of got.keys()) {
            if (!expected.tenants.has(id)) expect(expected.conflicts.some((c) => c.startsWith(`tenants/[id="${id}"]`))).toBe(true);
          }
        }
        // Ours' tenants keep ours' order.
        const order = view(r, "ours").tenants.map((t) => t.id).filter((id) => ours.tenants.some((t) => t.id === id));
        expect(order).toEqual(ours.tenants.map((t) => t.id).filter((id) => order.includes(id)));
      }),
      { numRuns: 400 },
    );
  });

  it("the written file is valid JSON on either side of every hunk, holding that side's view", () => {
    const settings = {
      markers: { size: 7, ours: "ours", base: "base", theirs: "theirs", style: "diff3" as const },
      overlay: overlayOf({ keyedArrays: [{ pattern: ["tenants"], field: "id" }] }),
    };
    fc.assert(
      fc.property(triple, fc.constantFrom(0, 2, "\t"), ({ base, ours, theirs }, indent) => {
        const text = (d: Doc) => JSON.stringify(d, null, indent) + "\n";
        const r = mergeTexts({ base: text(base), ours: text(ours), theirs: text(theirs) }, settings);
        expect(r.kind).toBe("merged");
        if (r.kind !== "merged") return;
        const core = merge(base, ours, theirs);
        for (const side of ["ours", "theirs"] as const) expect(parsePlain(takeSide(r.text, side))).toEqual(view(core, side));
      }),
      { numRuns: 300 },
    );
  });
});
