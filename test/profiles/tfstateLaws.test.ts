// The merge laws for Terraform states, on generated triples (see test/support/tfstateArbitraries):
// merge(O, A, O) = A byte for byte; no change made on one side only is lost; the conflict set
// is the same with ours and theirs exchanged; taking ours (or theirs) in every hunk gives a
// state in the writers' layout, with the lineage kept and a serial no lower than either side,
// and that `terraform state push` takes over either side (a higher serial, or that side's state).
// The oracles read results with the test's own Go emulation, not with src/'s writer.

import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { JsonNumber, isObject, type JsonObject, type JsonValue } from "../../src/core/values";
import { parseJson } from "../../src/formats/parseJson";
import { mergeTexts, type MergeResult } from "../../src/pipeline/mergeTexts";
import { canonical, conflictSignature, pickFromMarkers } from "../support/arbitraries";
import { addressOf, goIndent, type TfState } from "../support/tfstate";
import { tfTriple, type TfTriple } from "../support/tfstateArbitraries";

const markers = { size: 7, ours: "ours", base: "base", theirs: "theirs", style: "diff3" as const };

function merge(base: TfState, ours: TfState, theirs: TfState): Extract<MergeResult, { kind: "merged" }> {
  const r = mergeTexts({ base: base.text(), ours: ours.text(), theirs: theirs.text() }, { markers });
  if (r.kind !== "merged") throw new Error(`fell back: ${r.reason}`);
  return r;
}

/** Records of a state by the words conflict lines use: `output url`, `resource module.net.aws_subnet.private[0]`. */
function records(doc: JsonValue): Map<string, string> {
  const out = new Map<string, string>();
  if (!isObject(doc)) return out;
  for (const [name, o] of (doc.get("outputs") as JsonObject | undefined) ?? []) out.set(`output ${name}`, canonical(o));
  for (const r of (doc.get("resources") as JsonObject[] | undefined) ?? []) {
    for (const i of r.get("instances") as JsonObject[]) {
      const k = i.get("index_key");
      const index = k === undefined ? "" : `[${k instanceof JsonNumber ? k.text : JSON.stringify(k)}]`;
      out.set(`resource ${addressOf(r)}${index}`, canonical(i));
    }
  }
  return out;
}

/** Is this record at or inside a place in conflict (`resource X` covers `resource X[0]`)? */
function underConflict(record: string, conflicted: readonly string[]): boolean {
  return conflicted.some((c) => record === c || record.startsWith(c + "[") || c === "the whole file");
}

function serial(doc: JsonValue): bigint {
  return BigInt(((doc as JsonObject).get("serial") as JsonNumber).text);
}

/** The writers' order, checked independently: resources, instances and outputs sorted, no key twice. */
function inWriterOrder(doc: JsonObject): boolean {
  const outputs = [...((doc.get("outputs") as JsonObject | undefined)?.keys() ?? [])];
  if (outputs.join("\u0000") !== [...outputs].sort().join("\u0000")) return false;
  const resources = (doc.get("resources") as JsonObject[]).map((r) => ["module", "mode", "type", "name"].map((f) => String(r.get(f) ?? "")).join("\u0001"));
  if (resources.join("\u0000") !== [...resources].sort().join("\u0000") || new Set(resources).size !== resources.length) return false;
  for (const r of doc.get("resources") as JsonObject[]) {
    const keys = (r.get("instances") as JsonObject[]).map((i) => i.get("index_key"));
    const rank = (k: JsonValue | undefined) => (k === undefined ? "0" : k instanceof JsonNumber ? "1" + k.text.padStart(6, "0") : "2" + String(k));
    const ranked = keys.map(rank);
    if (ranked.join("\u0000") !== [...ranked].sort().join("\u0000") || new Set(ranked).size !== ranked.length) return false;
  }
  return true;
}

const runs = { numRuns: 150 };

describe("merge laws for Terraform states", () => {
  it("merge(O, A, O) = A and merge(O, O, A) = A, byte for byte", () => {
    fc.assert(
      fc.property(tfTriple(), ({ base, ours }: TfTriple) => {
        expect(merge(base, ours, base).text).toBe(ours.text());
        expect(merge(base, base, ours).text).toBe(ours.text());
      }),
      runs,
    );
  });

  it("no change made on one side only is lost (outside the places in conflict)", () => {
    fc.assert(
      fc.property(tfTriple(), (t: TfTriple) => {
        const r = merge(t.base, t.ours, t.theirs);
        const [b, o, th] = [t.base, t.ours, t.theirs].map((s) => records(s.doc));
        const conflicted = r.conflicts.map((c) => r.profile.describePath(c.path, r.documents));
        for (const side of ["ours", "theirs"] as const) {
          const result = records(parseJson(pickFromMarkers(r.text, side)).value);
          for (const key of new Set([...b.keys(), ...o.keys(), ...th.keys()])) {
            const [bv, ov, tv] = [b.get(key), o.get(key), th.get(key)];
            const oneSided = ov !== bv && tv === bv ? ov : tv !== bv && ov === bv ? tv : "unchanged";
            if (oneSided === "unchanged" || underConflict(key, conflicted)) continue;
            expect(result.get(key), `${key} (${side})`).toBe(oneSided);
          }
        }
      }),
      runs,
    );
  });

  it("the conflict set is the same with ours and theirs exchanged", () => {
    fc.assert(
      fc.property(tfTriple(), (t: TfTriple) => {
        const forward = merge(t.base, t.ours, t.theirs);
        const backward = merge(t.base, t.theirs, t.ours);
        expect(conflictSignature(backward.conflicts)).toEqual(conflictSignature(forward.conflicts, true));
        // Without conflicts the two results are the same state.
        if (forward.conflicts.length === 0) expect(backward.text).toBe(forward.text);
      }),
      runs,
    );
  });

  it("conflicts stand around whole instances and outputs; an instance whose id changed is never stitched", () => {
    fc.assert(
      fc.property(tfTriple(), (t: TfTriple) => {
        const r = merge(t.base, t.ours, t.theirs);
        for (const c of r.conflicts) {
          const where = c.path[0] === "outputs" ? c.path.length === 2 : c.path[0] === "resources" && (c.path.length === 2 || c.path.length === 4);
          expect(where, c.path.join("/")).toBe(true);
        }
        const [b, o, th] = [t.base, t.ours, t.theirs].map((s) => records(s.doc));
        const result = records(parseJson(pickFromMarkers(r.text, "ours")).value);
        const idOf = (rec: string | undefined) => (rec === undefined ? undefined : /"id":("[^"]*")/.exec(rec)?.[1]);
        for (const [key, value] of result) {
          if (!key.startsWith("resource ") || b.get(key) === undefined || o.get(key) === undefined || th.get(key) === undefined) continue;
          if (idOf(o.get(key)) !== idOf(b.get(key)) || idOf(th.get(key)) !== idOf(b.get(key))) {
            expect([o.get(key), th.get(key)], key).toContain(value);
          }
        }
      }),
      runs,
    );
  });

  it("taking ours, base or theirs in every hunk gives a state in writer layout; lineage kept, serial no lower than either side", () => {
    fc.assert(
      fc.property(tfTriple(), (t: TfTriple) => {
        const r = merge(t.base, t.ours, t.theirs);
        for (const side of ["ours", "base", "theirs"] as const) {
          const text = pickFromMarkers(r.text, side);
          const doc = parseJson(text).value as JsonObject;
          expect(goIndent(doc) + "\n").toBe(text);
          expect(inWriterOrder(doc)).toBe(true);
          expect(doc.get("lineage")).toBe(t.ours.doc.get("lineage"));
          const [o, th, m] = [t.ours.serial, t.theirs.serial, serial(doc)];
          expect(m >= o && m >= th).toBe(true);
          const equalsOne = [t.ours, t.theirs].some((s) => goIndent(s.doc) === goIndent(doc));
          if (!equalsOne) expect(m).toBe((o > th ? o : th) + 1n);
          // terraform state push over either side: a higher serial, or that very state.
          for (const s of [t.ours, t.theirs]) expect(m > s.serial || goIndent(s.doc) === goIndent(doc), `serial ${m} over ${s.serial}`).toBe(true);
        }
      }),
      runs,
    );
  });
});
