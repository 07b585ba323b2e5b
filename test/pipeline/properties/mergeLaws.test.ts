// The merge laws of issue 2, checked with fast-check on generated NixOps states and triples
// made from them by the edits real deploys make (test/support/arbitraries.ts). Run counts are
// modest here; the volume runs live elsewhere.

import { spawnSync } from "node:child_process";
import fc from "fast-check";
import { afterAll, describe, expect, it } from "vitest";
import { mergeTexts, type MergeResult } from "../../../src/pipeline/mergeTexts";
import type { ConflictStyle } from "../../../src/formats/renderDocument";
import { parseJson } from "../../../src/formats/parseJson";
import { State, pyDumps } from "../../support/fixtures";
import { HAS_PYTHON } from "../../support/python";
import {
  conflictSignature,
  canonical,
  cloneDoc,
  embeddedValue,
  isUnder,
  isVolatilePath,
  leaves,
  nixopsState,
  nixopsTriple,
  pathOf,
  pickFromMarkers,
  renderState,
  tripleTexts,
  type Triple,
} from "../../support/arbitraries";
import type { JsonObject, JsonValue } from "../../../src/core/values";

const RUNS = Number(process.env.MERGE_LAW_RUNS ?? 200);
const markers = (style: ConflictStyle = "merge") => ({ size: 7, ours: "HEAD", base: "merged common ancestors", theirs: "feature", style });

function merge(base: string, ours: string, theirs: string, style: ConflictStyle = "merge"): Extract<MergeResult, { kind: "merged" }> {
  const r = mergeTexts({ base, ours, theirs }, { markers: markers(style) });
  if (r.kind !== "merged") throw new Error(`fell back: ${r.reason}`);
  return r;
}

function parsesCleanly(text: string): JsonValue {
  const p = parseJson(text);
  expect(p.duplicates).toEqual([]);
  return p.value;
}

/** Clean outputs collected for one batched check against Python's own json.dumps. */
const canonicalOutputs: { text: string; separators: "py3" | "py2" }[] = [];

describe("merge laws on generated NixOps states", () => {
  it("merge(b, b, b) = b, byte for byte", () => {
    fc.assert(
      fc.property(nixopsState(), fc.constantFrom("py3" as const, "py2" as const), (doc, sep) => {
        const b = renderState(doc, sep);
        const r = merge(b, b, b);
        expect(r.text).toBe(b);
        expect(r.conflicts).toEqual([]);
        expect(r.autoResolved).toEqual([]);
      }),
      { numRuns: RUNS },
    );
  });

  const identityLaws = (options: { numRuns: number; seed?: number }) =>
    fc.assert(
      fc.property(nixopsTriple(), (t) => {
        const { base, ours, theirs } = tripleTexts(t);
        const left = merge(base, ours, base);
        expect(left.text).toBe(ours);
        expect(left.conflicts).toEqual([]);
        // Theirs' state, but a blob theirs only re-ordered keeps ours' (here the base's) text.
        const right = merge(base, base, theirs);
        expect(right.text).toBe(renderState(withTextsOf(t.theirs, t.base), t.separators));
        expect(right.conflicts).toEqual([]);
      }),
      options,
    );

  it("merge(b, x, b) = x and merge(b, b, y) = y, byte for byte (docs/merge-rules.md, Embedded JSON: the text rule)", () => identityLaws({ numRuns: RUNS }));

  // Regression: two deployments named alike with empty resources, once flagged by the name rule.
  it("merge(b, x, b) = x on seed 930136685 (a name two deployments share already in one side)", () => identityLaws({ numRuns: 200, seed: 930136685 }));

  it("merge(b, x, x) = x, byte for byte", () => {
    fc.assert(
      fc.property(nixopsTriple(), (t) => {
        const { base, ours } = tripleTexts(t);
        const r = merge(base, ours, ours);
        expect(r.text).toBe(ours);
        expect(r.conflicts).toEqual([]);
        expect(r.autoResolved).toEqual([]);
      }),
      { numRuns: RUNS },
    );
  });

  it("swapping ours and theirs mirrors the result and the conflict set (volatile paths aside)", () => {
    fc.assert(
      fc.property(nixopsTriple(), (t) => {
        const { base, ours, theirs } = tripleTexts(t);
        const ab = merge(base, ours, theirs);
        const ba = merge(base, theirs, ours);
        expect(conflictSignature(ba.conflicts, true)).toEqual(conflictSignature(ab.conflicts));
        const auto = (r: typeof ab) => r.autoResolved.map((a) => JSON.stringify(a.path)).sort();
        expect(auto(ba)).toEqual(auto(ab));
        const nonVolatile = (text: string) => [...leaves(parsesCleanly(text))].filter(([k]) => !isVolatilePath(pathOf(k))).sort();
        expect(nonVolatile(pickFromMarkers(ba.text, "theirs"))).toEqual(nonVolatile(pickFromMarkers(ab.text, "ours")));
        expect(nonVolatile(pickFromMarkers(ba.text, "ours"))).toEqual(nonVolatile(pickFromMarkers(ab.text, "theirs")));
      }),
      { numRuns: RUNS },
    );
  });

  it("every non-conflicting change of either side is in the result, whichever side each hunk is settled to", () => {
    fc.assert(
      fc.property(nixopsTriple(), fc.constantFrom<ConflictStyle>("merge", "diff3", "zdiff3"), (t, style) => {
        const { base, ours, theirs } = tripleTexts(t);
        const r = merge(base, ours, theirs, style);
        if (r.conflicts.length === 0) expect(r.text).not.toMatch(/^(<{7}|={7}|>{7}|\|{7})/m);
        const conflictPaths = r.conflicts.map((c) => c.path);
        for (const side of ["ours", "theirs"] as const) {
          const picked = pickFromMarkers(r.text, side);
          checkChanges(t, parsesCleanly(picked), conflictPaths, `${side} in every hunk`);
        }
        // diff3's base sections are whole too: taking base in every hunk is valid JSON.
        if (style === "diff3") parsesCleanly(pickFromMarkers(r.text, "base"));
      }),
      { numRuns: RUNS },
    );
  });

  it("a clean merge keeps ours' text of an embedded value equal to ours, else theirs', else json.dumps in ours-then-theirs key order", () => {
    fc.assert(
      fc.property(nixopsTriple(), (t) => {
        const { base, ours, theirs } = tripleTexts(t);
        const r = merge(base, ours, theirs);
        if (r.conflicts.length > 0) return;
        const result = parsesCleanly(r.text) as JsonObject;
        for (const [path, text] of attributeTexts(result)) {
          const value = embeddedValue(text);
          if (value === undefined) continue;
          const o = attributeAt(t.ours, path);
          const th = attributeAt(t.theirs, path);
          const same = (s: string | undefined) => s !== undefined && embeddedValue(s) !== undefined && canonical(embeddedValue(s) as JsonValue) === canonical(value);
          if (same(o)) expect(text, path.join(" / ")).toBe(o);
          else if (same(th)) expect(text, path.join(" / ")).toBe(th);
          else expect(text, path.join(" / ")).toBe(pythonDumpsOrdered(value, o, th));
        }
      }),
      { numRuns: RUNS },
    );
  });

  it("canonical output re-reads to the same bytes", () => {
    fc.assert(
      fc.property(nixopsTriple(), (t) => {
        const { base, ours, theirs } = tripleTexts(t);
        const r = merge(base, ours, theirs);
        if (r.conflicts.length > 0) return;
        const again = new State(parsesCleanly(r.text) as JsonObject, t.separators).text();
        expect(again).toBe(r.text);
        canonicalOutputs.push({ text: r.text, separators: t.separators });
      }),
      { numRuns: RUNS },
    );
  });

  afterAll(() => {
    // The same bytes from Python's own json.dumps(..., indent=2, sort_keys=True), as NixOps prints.
    if (canonicalOutputs.length === 0 || !HAS_PYTHON) return; // without Python, the State re-render above still checked the bytes
    const script = [
      "import json, sys",
      "items = json.load(sys.stdin)",
      "bad = 0",
      "for it in items:",
      "    seps = (', ', ': ') if it['separators'] == 'py2' else (',', ': ')",
      "    out = json.dumps(json.loads(it['text']), indent=2, sort_keys=True, separators=seps) + '\\n'",
      "    bad += out != it['text']",
      "print(bad)",
    ].join("\n");
    const py = spawnSync("python3", ["-c", script], { input: JSON.stringify(canonicalOutputs), encoding: "utf8" });
    expect(py.error).toBeUndefined();
    expect(py.stderr).toBe("");
    expect(py.stdout.trim()).toBe("0");
  });
});

/**
 * For every leaf outside a conflict: changed alike or on one side only, the result has that
 * side's value; changed differently on both sides, it must be volatile (ours' state wins).
 */
function checkChanges(t: Triple, result: JsonValue, conflictPaths: readonly (readonly string[])[], what: string): void {
  const [b, o, th, m] = [leaves(t.base), leaves(t.ours), leaves(t.theirs), leaves(result)];
  const all = new Set([...b.keys(), ...o.keys(), ...th.keys(), ...m.keys()]);
  for (const key of all) {
    const path = pathOf(key);
    if (conflictPaths.some((c) => isUnder(path, c))) continue;
    const [bv, ov, tv, mv] = [b.get(key), o.get(key), th.get(key), m.get(key)];
    const where = `${what}: ${path.join(" / ")} (base ${bv}, ours ${ov}, theirs ${tv})`;
    if (isVolatilePath(path)) {
      // Ours' state wins; unless what holds the value was deleted on a side that changed
      // nothing else in it (the deletion stands).
      const holder = path.slice(0, -1);
      const deletedHolder = !hasUnder(m, holder) && (!hasUnder(o, holder) || !hasUnder(th, holder));
      if (!deletedHolder) expect(mv, where).toBe(ov === bv ? tv : ov);
      continue;
    }
    if (ov === tv) expect(mv, where).toBe(ov);
    else if (ov === bv) expect(mv, where).toBe(tv);
    else if (tv === bv) expect(mv, where).toBe(ov);
    else if (!volatileOnlyDeletion(t, path, mv)) expect.fail(`changed differently on both sides, but no conflict covers it: ${where}`);
  }
}

/**
 * Deleting a record wins over a side that only rewrote volatile values of it
 * (docs/merge-rules.md, "Volatile values").
 */
function volatileOnlyDeletion(t: Triple, path: readonly string[], merged: string | undefined): boolean {
  return merged === undefined && [t.ours, t.theirs].some((d) => !recordPresent(d, path));
}

function hasUnder(leafMap: Map<string, string>, prefix: readonly string[]): boolean {
  for (const key of leafMap.keys()) if (isUnder(pathOf(key), prefix)) return true;
  return false;
}

/** Whether the deployment (and resource) holding this leaf is in the document. */
function recordPresent(doc: JsonValue, path: readonly string[]): boolean {
  const d = (doc as JsonObject).get(path[0]) as JsonObject | undefined;
  if (!d) return false;
  if (path[1] !== "resources" || path.length < 4) return true;
  return (d.get("resources") as JsonObject | undefined)?.has(path[2]) ?? false;
}

/** [path, text] of every deployment and resource attribute. */
function attributeTexts(doc: JsonObject): [string[], string][] {
  const out: [string[], string][] = [];
  for (const [uuid, d] of doc) {
    for (const [k, v] of d as JsonObject) if (typeof v === "string") out.push([[uuid, k], v]);
    for (const [name, r] of (d as JsonObject).get("resources") as JsonObject) {
      for (const [k, v] of r as JsonObject) if (typeof v === "string") out.push([[uuid, "resources", name, k], v]);
    }
  }
  return out;
}

function attributeAt(doc: JsonObject, path: string[]): string | undefined {
  let node: JsonValue | undefined = doc;
  for (const k of path) node = node instanceof Map ? node.get(k) : undefined;
  return typeof node === "string" ? node : undefined;
}

/** json.dumps of a merged embedded value: keys in the order they first appear in ours, then theirs. */
function pythonDumpsOrdered(value: JsonValue, ours: string | undefined, theirs: string | undefined): string {
  const o = ours === undefined ? undefined : embeddedValue(ours);
  const t = theirs === undefined ? undefined : embeddedValue(theirs);
  const order = (v: JsonValue, a: JsonValue | undefined, b: JsonValue | undefined): JsonValue => {
    if (!(v instanceof Map)) return v;
    const keys = [...v.keys()];
    const rank = (k: string) => {
      const ia = a instanceof Map ? [...a.keys()].indexOf(k) : -1;
      if (ia >= 0) return ia;
      const ib = b instanceof Map ? [...b.keys()].indexOf(k) : -1;
      return 1e6 + (ib >= 0 ? ib : keys.indexOf(k));
    };
    const sorted = keys.sort((x, y) => rank(x) - rank(y));
    const sub = (m: JsonValue | undefined, k: string) => (m instanceof Map ? m.get(k) : undefined);
    return new Map(sorted.map((k) => [k, order(v.get(k) as JsonValue, sub(a, k), sub(b, k))]));
  };
  return pyDumps(order(value, o, t));
}

/** The state `doc` with every embedded attribute equal by value to `texts`' written as `texts` wrote it. */
function withTextsOf(doc: JsonObject, texts: JsonObject): JsonObject {
  const out = cloneDoc(doc);
  for (const [path, text] of attributeTexts(out)) {
    const other = attributeAt(texts, path);
    const [a, b] = [embeddedValue(text), other === undefined ? undefined : embeddedValue(other)];
    if (a === undefined || b === undefined || canonical(a) !== canonical(b)) continue;
    let node = out as JsonObject;
    for (const k of path.slice(0, -1)) node = node.get(k) as JsonObject;
    node.set(path[path.length - 1], other as string);
  }
  return out;
}
