// `nixops -d NAME` picks a deployment by name: a merge must never make two deployments with
// one name. Two branches that each create a deployment under one name (two UUIDs, so by key
// the merge is clean), or one creating a deployment under the name the other renames one to,
// is a duplicate-name conflict naming both UUIDs; settling it to a side keeps that side's
// deployments. A clash one side's own file already has is kept as written, with a warning.

import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { mergeTexts, type MergeResult } from "../../../src/pipeline/mergeTexts";
import { parseJson } from "../../../src/formats/parseJson";
import { isObject, type JsonObject, type JsonValue } from "../../../src/core/values";
import type { Conflict, Side } from "../../../src/core/merged";
import { cloneDoc, nixopsTriple, renderState, type Doc, type Triple } from "../../support/arbitraries";

const RUNS = Number(process.env.SAME_NAME_RUNS ?? 150);
const markers = { size: 7, ours: "ours", base: "base", theirs: "theirs", style: "diff3" as const };

/** UUIDs by deployment name. */
function byName(doc: Doc): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const [uuid, d] of doc) {
    const name = isObject(d) ? d.get("name") : undefined;
    if (typeof name !== "string") continue;
    out.set(name, [...(out.get(name) ?? []), uuid]);
  }
  return out;
}

/** Whether a conflict stands at, or names as holding the same name, one of these UUIDs. */
function namesAny(c: Conflict, uuids: string[]): boolean {
  return [c.path[0], ...(c.sameNameAs ?? []).map((p) => p[0])].some((u) => uuids.includes(u));
}

const nameIn = (doc: Doc, uuid: string): unknown => {
  const d = doc.get(uuid);
  return isObject(d) ? d.get("name") : undefined;
};

function merged(r: MergeResult): Extract<MergeResult, { kind: "merged" }> {
  if (r.kind !== "merged") throw new Error(`fell back: ${r.reason}`);
  return r;
}

function texts(t: { base: Doc; ours: Doc; theirs: Doc; separators: Triple["separators"] }) {
  return { base: renderState(t.base, t.separators), ours: renderState(t.ours, t.separators), theirs: renderState(t.theirs, t.separators) };
}

/** A new deployment: a copy of one the state has, under another UUID and name. */
function newDeployment(like: Doc, name: string): JsonObject {
  const d = cloneDoc([...like.values()][0] as JsonObject);
  d.set("name", name);
  return d;
}

describe("deployments with one name", () => {
  it("keeps theirs' own clash as written while both sides add another name (seed 1621812998 of the property below)", () => {
    const deployment = (name: string): JsonObject =>
      new Map<string, JsonValue>([
        ["args", "{}"],
        ["configsPath", "/nix/store/00000000000000000000000000000000-nixops-machines"],
        ["name", name],
        ["resources", new Map()],
      ]);
    const [existing, oursNew, theirsNew, u2] = ["00000000-0000-1000-8000-000000000000", "00000000-0000-1000-8000-000000000001", "00000000-0000-1000-8000-000000000002", "00000000-0000-4000-8000-000000000001"];
    const base: Doc = new Map([[existing, deployment("prod")]]);
    const ours: Doc = new Map([...base, [oursNew, deployment("ünïcode")]]);
    const theirs: Doc = new Map([...base, [theirsNew, deployment("ünïcode")], [u2, deployment("prod")]]);
    for (const wholeParse of [false, true]) {
      const r = merged(mergeTexts(texts({ base, ours, theirs, separators: "py3" }), { markers, wholeParse }));
      const clashes = r.conflicts.filter((c) => c.kind === "duplicate-name");
      expect(clashes.map((c) => c.path[0]).sort()).toEqual([oursNew, theirsNew]);
      expect(clashes.some((c) => namesAny(c, [existing, u2]))).toBe(false);
      expect(r.warnings?.map((w) => w.message).join("\n")).toContain(u2);
    }
  });

  it("a deployment new to the name of one in conflict stands in conflict too, up front (seed -712145244 of verify.property)", () => {
    // Ours re-creates tenant-acme (deletes it, creates it under a new UUID); theirs deploys to
    // the old one. Keeping theirs' old deployment would give the name twice: the driver says
    // so now, instead of the clash showing only once the delete/modify is settled.
    const deployment = (name: string, extra: Array<[string, string]> = []): JsonObject =>
      new Map<string, JsonValue>([
        ["args", "{}"],
        ["configsPath", "/nix/store/00000000000000000000000000000000-nixops-machines"],
        ["name", name],
        ["resources", new Map()],
        ...extra,
      ]);
    const [prod1, prod2, old, recreated] = ["00000000-0000-1000-8000-000000000000", "00000000-0000-1000-8000-000000000001", "00000000-0000-1000-8000-000000000002", "00000000-0000-1000-8000-000000000003"];
    const base: Doc = new Map([[prod1, deployment("prod")], [prod2, deployment("prod")], [old, deployment("tenant-acme")]]);
    const ours: Doc = new Map([[prod1, deployment("prod")], [prod2, deployment("prod")], [recreated, deployment("tenant-acme")]]);
    const theirs: Doc = new Map([[prod1, deployment("prod")], [prod2, deployment("prod")], [old, deployment("tenant-acme", [["state", "talpha"]])]]);
    for (const wholeParse of [false, true]) {
      const input = texts({ base, ours, theirs, separators: "py3" });
      const r = merged(mergeTexts(input, { markers, wholeParse }));
      expect(r.conflicts.map((c) => [c.kind, c.path[0]])).toEqual([
        ["delete/modify", old],
        ["duplicate-name", recreated],
      ]);
      expect(r.conflicts[1].sameNameAs).toEqual([[old]]);
      // Settled either way, one deployment holds the name: ours' new one, or theirs' old one.
      for (const [side, kept] of [["ours", recreated], ["theirs", old]] as const) {
        const settled = parseJson(merged(mergeTexts(input, { markers, wholeParse, settle: () => side })).text).value as Doc;
        expect(byName(settled).get("tenant-acme")).toEqual([kept]);
      }
    }
  });

  it("a deployment new to a name one side gives another in a conflict over its name stands in conflict too", () => {
    const deployment = (name: string): JsonObject => new Map<string, JsonValue>([["args", "{}"], ["name", name], ["resources", new Map()]]);
    const [existing, added] = ["00000000-0000-1000-8000-00000000000a", "00000000-0000-1000-8000-00000000000b"];
    const base: Doc = new Map([[existing, deployment("tenant-old")]]);
    // Both rename it, differently; ours also creates a deployment under the name theirs chose.
    const ours: Doc = new Map([[existing, deployment("tenant-ours")], [added, deployment("tenant-theirs")]]);
    const theirs: Doc = new Map([[existing, deployment("tenant-theirs")]]);
    for (const wholeParse of [false, true]) {
      const r = merged(mergeTexts(texts({ base, ours, theirs, separators: "py3" }), { markers, wholeParse }));
      expect(r.conflicts.map((c) => [c.kind, c.path])).toEqual([
        ["modify/modify", [existing, "name"]],
        ["duplicate-name", [added]],
      ]);
      expect(r.conflicts[1].sameNameAs).toEqual([[existing]]);
    }
  });

  it("a clean merge holds a name twice only where the base or one side already did, and then warns", () => {
    fc.assert(
      fc.property(nixopsTriple({ maxEdits: 4 }), (t) => {
        const r = merged(mergeTexts(texts(t), { markers }));
        if (r.conflicts.length > 0) return;
        const result = parseJson(r.text).value as Doc;
        for (const [name, uuids] of byName(result)) {
          if (uuids.length < 2) continue;
          const heldBy = (doc: Doc) => uuids.every((u) => nameIn(doc, u) === name);
          expect(heldBy(t.base) || heldBy(t.ours) || heldBy(t.theirs), `${name}: ${uuids.join(", ")}`).toBe(true);
          if (!heldBy(t.base)) expect(r.warnings?.map((w) => w.message).join("\n")).toContain(uuids.join(" and "));
        }
      }),
      { numRuns: RUNS },
    );
  });

  const scenario = fc.record({
    triple: nixopsTriple({ maxEdits: 3 }),
    uuids: fc.uniqueArray(fc.uuid({ version: 4 }), { minLength: 2, maxLength: 2 }),
    mode: fc.constantFrom(
      "both add one name" as const,
      "theirs adds a name it already has" as const,
      "ours adds the name theirs renames one to" as const,
      "theirs adds the name ours renames one to" as const,
    ),
    wholeParse: fc.boolean(),
  });

  it("is a duplicate-name conflict naming both UUIDs; settling it to a side keeps that side's deployments", () => {
    fc.assert(
      fc.property(scenario, ({ triple: t, uuids: [u1, u2], mode, wholeParse }) => {
        const ours = cloneDoc(t.ours);
        const theirs = cloneDoc(t.theirs);
        const existing = [...t.base.keys()][0];
        const existingName = nameIn(t.base, existing) as string;
        /** The conflicts expected: [path, the UUID it must name]. */
        let expected: Array<[string[], string]> = [];
        if (mode === "both add one name") {
          ours.set(u1, newDeployment(t.base, "tenant-new"));
          theirs.set(u2, newDeployment(t.base, "tenant-new"));
          expected = [[[u1], u2], [[u2], u1]];
        } else if (mode === "theirs adds a name it already has") {
          // Theirs' own file is ambiguous already: the merge keeps it as written and warns.
          theirs.set(u2, newDeployment(t.base, existingName));
        } else {
          const [adder, renamer] = mode === "ours adds the name theirs renames one to" ? [ours, theirs] : [theirs, ours];
          adder.set(u1, newDeployment(t.base, "tenant-new"));
          const renamed = renamer.get(existing);
          if (isObject(renamed)) renamed.set("name", "tenant-new");
          // Only while the adder still has that deployment under its old name (else a delete/modify conflict stands there).
          if (isObject(renamed) && nameIn(adder, existing) === existingName) expected = [[[u1], existing], [[existing, "name"], u1]];
        }
        const input = texts({ base: t.base, ours, theirs, separators: t.separators });
        const r = merged(mergeTexts(input, { markers, wholeParse }));
        if (mode === "theirs adds a name it already has") {
          // When no other deployment takes that name on either side (random edits may add one).
          const holders = (doc: Doc) => [...(byName(doc).get(existingName) ?? [])].sort();
          if (JSON.stringify(holders(ours)) !== JSON.stringify([existing]) || JSON.stringify(holders(theirs)) !== JSON.stringify([existing, u2].sort())) return;
          // Only the clash theirs made is looked at: random edits may make another (both sides adding one name).
          expect(r.conflicts.filter((c) => c.kind === "duplicate-name" && namesAny(c, [existing, u2]))).toEqual([]);
          expect(r.warnings?.map((w) => w.message).join("\n")).toContain(u2);
          return;
        }
        for (const [path, other] of expected) {
          const found = r.conflicts.find((c) => c.kind === "duplicate-name" && JSON.stringify(c.path) === JSON.stringify(path));
          expect(found, `${mode}: ${JSON.stringify(path)} in ${JSON.stringify(r.conflicts.map((c) => [c.path, c.kind]))}`).toBeDefined();
          expect(found!.sameNameAs?.map((p) => p[0])).toContain(other);
        }

        if (expected.length === 0) return;
        // What `resolve --ours` / `--theirs` with no selector do: every conflict to one side.
        for (const side of ["ours", "theirs"] as Side[]) {
          const settled = merged(mergeTexts(input, { markers, wholeParse, settle: () => side }));
          expect(settled.conflicts).toEqual([]);
          const result = parseJson(settled.text).value as Doc;
          const sideDoc = side === "ours" ? ours : theirs;
          for (const u of [u1, u2]) expect(result.has(u), `${side} ${u}`).toBe(sideDoc.has(u));
          // Settled either way, the name the two sides fought over is held once.
          expect(byName(result).get("tenant-new")).toHaveLength(1);
        }
      }),
      { numRuns: RUNS },
    );
  });
});
