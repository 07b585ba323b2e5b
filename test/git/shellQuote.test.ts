import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { spawnSync } from "node:child_process";
import { shellQuote, shellWord } from "../../src/git/shellQuote";

/** What a POSIX shell makes of `words` typed after printf: each word on its own line. */
function shellReads(words: string[]): string[] {
  const r = spawnSync("sh", ["-c", `printf '%s\\n' ${words.join(" ")}`], { encoding: "utf8" });
  expect(r.status, r.stderr).toBe(0);
  return r.stdout.split("\n").slice(0, -1);
}

describe("shell words for printed commands", () => {
  it("reads back as the very string, whatever it holds (spaces, quotes, $, globs, tabs)", () => {
    const text = fc.string({ unit: fc.constantFrom("a", "Z", "0", " ", "'", '"', "$", "*", "?", "\\", "`", "~", ";", "&", "(", ")", "/", ".", "-", "=", ":", "#", "\t") });
    fc.assert(
      fc.property(fc.array(text.filter((s) => s.length > 0), { minLength: 1, maxLength: 4 }), (words) => {
        expect(shellReads(words.map(shellWord))).toEqual(words);
        expect(shellReads(words.map(shellQuote))).toEqual(words);
      }),
      { numRuns: 60 },
    );
  });

  it("leaves a plain path as it is, and quotes one a shell would split", () => {
    expect(shellWord("/srv/infra/prod.nixops.json")).toBe("/srv/infra/prod.nixops.json");
    expect(shellWord("/srv/my infra/prod.json")).toBe("'/srv/my infra/prod.json'");
    expect(shellWord("it's")).toBe("'it'\\''s'");
    expect(shellWord("=ls")).toBe("'=ls'");
    expect(shellWord("a=b")).toBe("a=b");
  });
});
