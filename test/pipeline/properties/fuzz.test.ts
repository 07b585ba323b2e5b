// A mutation fuzzer over the real fixtures: each run takes a fixture-based triple, breaks one
// input (base, ours or theirs) with one to three of the hostile mutations of issue 5, and
// merges. Every run must end in a merge (whose either side of every hunk is JSON) or a
// fallback with a one-line reason, never an exception, and lose neither side's lines. A
// sample goes through the real bin and git merge-file. The counts are printed. FUZZ_SEED=<n>
// replays a reported seed; each seed that ever failed is kept below as a fixed case.

import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { mergeTexts } from "../../../src/pipeline/mergeTexts";
import { parseJson } from "../../../src/formats/parseJson";
import { FIXTURES, State } from "../../support/fixtures";
import { pickFromMarkers } from "../../support/arbitraries";
import { STACK_TRACE, missingLines, missingTokens, runBin, type Position, type Triple } from "../../support/hostile";

const RUNS = Number(process.env.FUZZ_RUNS ?? 3000);
const BIN_RUNS = Number(process.env.FUZZ_BIN_RUNS ?? 30);
const markers = { size: 7, ours: "HEAD", base: "base", theirs: "topic", style: "diff3" as const };

function triple(fixture: string): Triple {
  const base = State.fixture(fixture.replace(/\.export\.json$/, ""));
  const uuid = [...base.doc.keys()][0];
  const ours = base.clone().set(uuid, null, "description", "fuzz-ours-mark");
  const theirs = base.clone().addResource(uuid, "fuzz-theirs", { type: "none", note: "fuzz-theirs-mark", creationTime: "1700000003" });
  return { base: Buffer.from(base.text()), ours: Buffer.from(ours.text()), theirs: Buffer.from(theirs.text()) };
}
const TRIPLES = new Map(FIXTURES.map((f) => [f, triple(f)]));

type Mutation = { name: string; apply(b: Buffer): Buffer };
const at = (b: Buffer, frac: number) => Math.floor(frac * b.length);
const splice = (b: Buffer, i: number, insert: Buffer, remove = 0) => Buffer.concat([b.subarray(0, i), insert, b.subarray(i + remove)]);
const lines = (b: Buffer) => b.toString("latin1").split("\n");
const fromLines = (l: string[]) => Buffer.from(l.join("\n"), "latin1");

const BOM: Mutation = { name: "BOM", apply: (b: Buffer) => Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), b]) };
const nulAt = (f: number): Mutation => ({ name: "NUL", apply: (b: Buffer) => splice(b, at(b, f), Buffer.from([0])) });

const frac = fc.double({ min: 0, max: 1, noNaN: true, maxExcluded: true });
const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  frac.map((f) => ({ name: "truncate", apply: (b: Buffer) => b.subarray(0, at(b, f)) })),
  fc.constant({ name: "empty", apply: () => Buffer.alloc(0) }),
  fc.constant({ name: "whitespace", apply: () => Buffer.from(" \r\n\t \n") }),
  fc.constant(BOM),
  fc.constant({ name: "CRLF", apply: (b: Buffer) => Buffer.from(b.toString("latin1").replace(/\r?\n/g, "\r\n"), "latin1") }),
  fc.tuple(frac, fc.constantFrom([0xff], [0xc3], [0xed, 0xa0, 0x80], [0xfe, 0xff])).map(([f, bytes]) => ({ name: "invalid UTF-8", apply: (b: Buffer) => splice(b, at(b, f), Buffer.from(bytes)) })),
  frac.map(nulAt),
  fc.tuple(frac, fc.string({ unit: fc.constantFrom(..."{}[]\",:0123456789 aeflnrstu\\".split("")), maxLength: 6 })).map(([f, s]) => ({ name: "random ASCII", apply: (b: Buffer) => splice(b, at(b, f), Buffer.from(s)) })),
  fc.tuple(frac, fc.integer({ min: 1, max: 255 })).map(([f, x]) => ({ name: "byte flip", apply: (b: Buffer) => (b.length ? splice(b, Math.min(at(b, f), b.length - 1), Buffer.from([b[Math.min(at(b, f), b.length - 1)] ^ x]), 1) : b) })),
  frac.map((f) => ({ name: "lone surrogate", apply: (b: Buffer) => {
    const l = lines(b);
    const i = Math.floor(f * l.length);
    l[i] = l[i].replace(/": "/, '": "\\ud800');
    return fromLines(l);
  } })),
  frac.map((f) => ({ name: "duplicate line", apply: (b: Buffer) => {
    const l = lines(b);
    const i = Math.floor(f * l.length);
    l.splice(i, 0, l[i].replace(/[^,]$/, "$&,"));
    return fromLines(l);
  } })),
  fc.tuple(frac, frac).map(([f, g]) => ({ name: "swap lines", apply: (b: Buffer) => {
    const l = lines(b);
    const [i, j] = [Math.floor(f * l.length), Math.floor(g * l.length)];
    [l[i], l[j]] = [l[j], l[i]];
    return fromLines(l);
  } })),
  frac.map((f) => ({ name: "delete line", apply: (b: Buffer) => {
    const l = lines(b);
    l.splice(Math.floor(f * l.length), 1);
    return fromLines(l);
  } })),
  fc.tuple(frac, fc.integer({ min: 1, max: 40 })).map(([f, size]) => ({ name: "conflict markers", apply: (b: Buffer) => {
    const l = lines(b);
    const i = Math.floor(f * l.length);
    l.splice(i, 0, "<".repeat(size) + " ours", l[i] ?? "", "=".repeat(size), ">".repeat(size) + " theirs");
    return fromLines(l);
  } })),
  fc.integer({ min: 1, max: 120_000 }).map((depth) => ({ name: "deep nesting", apply: (b: Buffer) => Buffer.concat([Buffer.from("[".repeat(depth)), b, Buffer.from("]".repeat(depth))]) })),
  fc.constantFrom("[]", '"text"', "null", "true", "12345678901234567890123", "1e400", "[1, 2]").map((top) => ({ name: "top level not an object", apply: () => Buffer.from(top + "\n") })),
  fc.constantFrom('"__proto__": {"x": "1"}, ', '"constructor": "c", ', '"big": 123456789012345678901234567890, ', '"huge": 1e400, ').map((entry) => ({ name: "odd key or number", apply: (b: Buffer) => {
    const i = b.indexOf("{");
    return i < 0 ? b : splice(b, i + 1, Buffer.from(entry.replace(/, $/, ",\n")));
  } })),
);

type FuzzCase = { fixture: string; position: Position; mutations: Mutation[] };

/**
 * Failing seeds, kept as fixed cases. 859862406: a NUL at the start of theirs, then a BOM before
 * it. The driver falls back and writes theirs whole, BOM and NUL kept, after the "=======" line;
 * the oracle only dropped a BOM at the start of the file and reported theirs' first line lost.
 */
const REGRESSIONS: Array<{ seed: number; case: FuzzCase }> = [
  { seed: 859862406, case: { fixture: "ec2-prod-5machines.export.json", position: "theirs", mutations: [nulAt(0), BOM] } },
];

const fuzzCase = fc.record({
  fixture: fc.constantFrom(...FIXTURES),
  position: fc.constantFrom<Position>("base", "ours", "theirs"),
  mutations: fc.array(mutation, { minLength: 1, maxLength: 3 }),
});

function mutated(c: FuzzCase): Triple {
  const t = TRIPLES.get(c.fixture)!;
  let b = t[c.position];
  for (const m of c.mutations) b = m.apply(b);
  return { ...t, [c.position]: b };
}

describe("mutation fuzzer over the real fixtures", () => {
  it(`${RUNS} mutated triples through the pipeline`, () => {
    const outcomes = { clean: 0, conflict: 0, fallback: 0 };
    const byMutation = new Map<string, number>();
    fc.assert(
      fc.property(fuzzCase, (c) => {
        const t = mutated(c);
        const r = mergeTexts(t, { markers });
        for (const m of c.mutations) byMutation.set(m.name, (byMutation.get(m.name) ?? 0) + 1);
        if (r.kind === "fallback") {
          expect(r.reason.length).toBeGreaterThan(0);
          expect(r.reason).not.toContain("\n");
          outcomes.fallback++;
          return;
        }
        const text = Buffer.from(r.text);
        expect(missingTokens(text, t.ours, t.base), "ours' values").toEqual([]);
        expect(missingTokens(text, t.theirs, t.base), "theirs' values").toEqual([]);
        for (const side of ["ours", "theirs"] as const) parseJson(pickFromMarkers(r.text, side).replace(/^\ufeff/, ""));
        if (r.conflicts.length > 0) outcomes.conflict++;
        else outcomes.clean++;
      }),
      { numRuns: RUNS, seed: process.env.FUZZ_SEED ? Number(process.env.FUZZ_SEED) : undefined },
    );
    const mutations = [...byMutation].sort().map(([k, n]) => `${k} ${n}`).join(", ");
    console.log(`[fuzz] ${RUNS} mutated fixture triples: ${outcomes.clean} clean, ${outcomes.conflict} structured conflicts, ${outcomes.fallback} fallbacks; mutations: ${mutations}`);
    expect(outcomes.clean + outcomes.conflict + outcomes.fallback).toBe(RUNS);
  }, 600_000);

  /** Runs the real bin on a mutated triple; says whether it fell back, and its exit status. */
  function binKeepsBothSides(c: FuzzCase): string {
    const t = mutated(c);
    const run = runBin(t);
    expect(run.signal).toBeNull();
    expect([0, 1]).toContain(run.status);
    expect(run.stdout).toBe("");
    expect(run.stderr).not.toMatch(STACK_TRACE);
    const how = /git merge-file/.test(run.stderr) ? "fallback" : "structured";
    const missing = how === "fallback" ? missingLines : missingTokens;
    expect(missing(run.result, t.ours, t.base)).toEqual([]);
    expect(missing(run.result, t.theirs, t.base)).toEqual([]);
    return `${how} exit ${run.status}`;
  }

  for (const r of REGRESSIONS) {
    it(`seed ${r.seed}: ${r.case.mutations.map((m) => m.name).join(" then ")} in ${r.case.position}, through the real bin`, () => {
      expect(binKeepsBothSides(r.case)).toBe("fallback exit 1");
    });
  }

  it(`${BIN_RUNS} mutated triples through the real bin and git merge-file`, () => {
    const statuses = new Map<string, number>();
    fc.assert(
      fc.property(fuzzCase, (c) => {
        const how = binKeepsBothSides(c);
        statuses.set(how, (statuses.get(how) ?? 0) + 1);
      }),
      { numRuns: BIN_RUNS, seed: process.env.FUZZ_SEED ? Number(process.env.FUZZ_SEED) : undefined },
    );
    console.log(`[fuzz] ${BIN_RUNS} mutated triples through the bin: ${[...statuses].map(([k, n]) => `${n} ${k}`).join(", ")}`);
  }, 600_000);
});
