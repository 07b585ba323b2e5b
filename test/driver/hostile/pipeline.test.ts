// Hostile and odd inputs, each as base, ours and theirs, through the in-process pipeline:
// every one ends in a clean merge, a structured conflict or a fallback with a reason; never
// an exception. Where the merge is structural, both sides' content is in the text and taking
// either side of every hunk gives JSON.

import { describe, expect, it } from "vitest";
import { mergeTexts } from "../../../src/pipeline/mergeTexts";
import { parseJson } from "../../../src/formats/parseJson";
import { pickFromMarkers } from "../../support/arbitraries";
import { HOSTILE_CASES, MARK, POSITIONS, genericTriple, missingLines, nixopsTriple, withHostile, type Triple } from "../../support/hostile";

const markers = { size: 7, ours: "HEAD", base: "base", theirs: "topic", style: "diff3" as const };

function merge(t: Triple) {
  return mergeTexts(t, { markers });
}

describe("hostile inputs through the pipeline", () => {
  const triple = nixopsTriple();
  for (const c of HOSTILE_CASES) {
    for (const position of POSITIONS) {
      it(`${c.name} as ${position}: ${c.expect[position]}`, () => {
        const t = withHostile(triple, c, position);
        const r = merge(t);
        const expected = c.expect[position];
        if (expected === "fallback") {
          expect(r.kind).toBe("fallback");
          if (r.kind === "fallback" && c.reason) expect(r.reason).toMatch(c.reason);
          if (r.kind === "fallback") expect(r.reason).toMatch(new RegExp(`^${position}|three inputs|nest`));
          return;
        }
        expect(r.kind, r.kind === "fallback" ? r.reason : "").toBe("merged");
        if (r.kind !== "merged") return;
        expect(r.conflicts.length > 0 ? "conflict" : "clean").toBe(expected);
        const text = Buffer.from(r.text);
        expect(missingLines(text, t.ours, t.base)).toEqual([]);
        expect(missingLines(text, t.theirs, t.base)).toEqual([]);
        for (const side of ["ours", "theirs"] as const) {
          const picked = pickFromMarkers(r.text, side);
          expect(() => parseJson(picked.replace(/^\ufeff/, ""))).not.toThrow();
        }
        if (c.name === "CRLF line ends") {
          // Ours' newline style, whatever the others use.
          if (position === "ours") expect(r.text.replace(/\r\n/g, "")).not.toContain("\n");
          else expect(r.text).not.toContain("\r");
        }
      });
    }
  }

  it("a duplicated resource is a conflict at that resource, with every copy in the hunk", () => {
    const c = HOSTILE_CASES.find((h) => h.name === "duplicate resource")!;
    const r = merge(withHostile(triple, c, "theirs"));
    expect(r.kind).toBe("merged");
    if (r.kind !== "merged") return;
    expect(r.conflicts.map((x) => [x.kind, x.path.slice(1)])).toEqual([["duplicate", ["resources", "lb2"]]]);
    const theirs = pickFromMarkers(r.text, "theirs");
    expect(theirs).toContain('"vmId": "i-0duplicate"');
    expect(parseJson(theirs).duplicates.map((d) => d.path.slice(1))).toEqual([["resources", "lb2"]]);
    expect(pickFromMarkers(r.text, "ours")).not.toContain("i-0duplicate");
  });

  it("a lone surrogate is kept as the escape it was written as", () => {
    const c = HOSTILE_CASES.find((h) => h.name.startsWith("lone surrogate"))!;
    const r = merge(withHostile(triple, c, "theirs"));
    expect(r.kind === "merged" && r.text).toContain('"ec2.region": "eu-west-1\\ud800"');
  });
});

describe("generic JSON: exact numbers and prototype-named keys", () => {
  it("numbers past 2^53, 1e400 and 1e-400 are kept digit for digit", () => {
    const r = merge(genericTriple());
    expect(r.kind).toBe("merged");
    if (r.kind !== "merged") return;
    expect(r.conflicts).toEqual([]);
    expect(r.text).toContain('"big": 12345678901234567890123');
    expect(r.text).toContain('"count": 9007199254740993');
    expect(r.text).toContain('"huge": 1e400');
    expect(r.text).toContain('"tiny": 1e-400');
  });

  it("__proto__ and constructor stay plain keys with their values, and pollute nothing", () => {
    const r = merge(genericTriple());
    if (r.kind !== "merged") throw new Error("expected a merge");
    const doc = parseJson(r.text).value as Map<string, unknown>;
    expect([...doc.keys()]).toEqual(expect.arrayContaining(["__proto__", "constructor"]));
    expect(r.text).toContain(MARK.ours);
    expect(r.text).toContain(MARK.theirs);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    // Plain JSON readers see them as own keys too.
    expect(Object.keys(JSON.parse(r.text) as object)).toEqual(expect.arrayContaining(["__proto__", "constructor"]));
  });

  it("a conflict between two huge numbers shows both, unrounded", () => {
    const base = Buffer.from('{"n": 1}\n');
    const r = merge({ base, ours: Buffer.from('{"n": 123456789012345678901234567890}\n'), theirs: Buffer.from('{"n": 1e400}\n') });
    if (r.kind !== "merged") throw new Error("expected a merge");
    expect(r.conflicts.map((c) => c.path)).toEqual([["n"]]);
    expect(r.text).toContain("123456789012345678901234567890");
    expect(r.text).toContain("1e400");
  });

  for (const position of POSITIONS) {
    it(`a duplicate key in generic JSON (${position}) falls back, never picks one`, () => {
      const t = genericTriple();
      t[position] = Buffer.from(t[position].toString().replace('"name": "cluster",', '"name": "cluster",\n  "name": "other",'));
      const r = merge(t);
      expect(r.kind).toBe("fallback");
      if (r.kind === "fallback") expect(r.reason).toMatch(/"name" twice/);
    });
  }
});

describe("nesting just under the parser's limit", () => {
  for (const position of POSITIONS) {
    for (const [name, text] of [
      ["arrays", "[".repeat(1990) + "]".repeat(1990)],
      ["objects", '{"a":'.repeat(1990) + "1" + "}".repeat(1990)],
    ] as const) {
      it(`${name} 1990 deep as ${position}: a result or a fallback, never an exception`, () => {
        const t = nixopsTriple();
        t[position] = Buffer.from(text);
        const r = merge(t);
        expect(["merged", "fallback"]).toContain(r.kind);
        if (r.kind === "merged") expect(r.text.length).toBeGreaterThan(text.length);
      });
    }
  }
});
