// The same hostile inputs through the real bin, as Git calls it: exit 0 or 1, nothing on
// stdout, no stack trace, the reason on stderr when it falls back to git merge-file, and
// both sides' content in the file it leaves.

import { describe, expect, it } from "vitest";
import { parseJson } from "../../../src/formats/parseJson";
import { pickFromMarkers } from "../../support/arbitraries";
import { HOSTILE_CASES, POSITIONS, STACK_TRACE, genericTriple, missingLines, nixopsTriple, runBin, withHostile } from "../../support/hostile";

describe("hostile inputs through the bin", () => {
  const triple = nixopsTriple();
  for (const c of HOSTILE_CASES) {
    for (const position of POSITIONS) {
      it(`${c.name} as ${position}`, () => {
        const t = withHostile(triple, c, position);
        const run = runBin(t);
        const expected = c.expect[position];
        expect(run.signal).toBeNull();
        expect(run.stdout).toBe("");
        expect(run.stderr).not.toMatch(STACK_TRACE);
        expect(run.status).toBe(expected === "clean" ? 0 : 1);
        expect(missingLines(run.result, t.ours, t.base)).toEqual([]);
        expect(missingLines(run.result, t.theirs, t.base)).toEqual([]);
        if (expected === "fallback") {
          expect(run.stderr).toMatch(/^statefile-merge: state\.json: .*; merging it line by line with git merge-file instead$/m);
          if (c.reason) expect(run.stderr).toMatch(c.reason);
          expect(run.result.toString("latin1")).toMatch(/^<{7} HEAD$/m);
        } else {
          // Structural: either side of every hunk is JSON.
          expect(run.stderr).not.toMatch(/git merge-file/);
          const text = run.result.toString("utf8").replace(/^\ufeff/, "");
          for (const side of ["ours", "theirs"] as const) expect(() => parseJson(pickFromMarkers(text, side))).not.toThrow();
        }
      });
    }
  }

  it("generic JSON with huge numbers and prototype keys merges cleanly, digit for digit", () => {
    const run = runBin(genericTriple());
    expect(run.status).toBe(0);
    expect(run.stderr).toBe("");
    const text = run.result.toString();
    for (const s of ["12345678901234567890123", "9007199254740993", "1e400", "1e-400", '"__proto__"', '"constructor"']) expect(text).toContain(s);
  });
});
