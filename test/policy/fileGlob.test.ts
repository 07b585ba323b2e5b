import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { matchesWildcard } from "../../src/core/wildcard";
import { fileGlobError, matchesFileGlob } from "../../src/policy/fileGlob";
import { formatJsonPathPattern, matchesPattern, parseJsonPathPattern } from "../../src/profiles/pathPattern";

describe("file globs, as in .gitattributes", () => {
  const table: Array<[string, string, boolean]> = [
    ["tenants.json", "tenants.json", true],
    ["tenants.json", "deploy/prod/tenants.json", true], // no "/": any directory
    ["tenants.json", "old-tenants.json", false],
    ["/tenants.json", "deploy/tenants.json", false], // a leading "/" anchors at the root
    ["/tenants.json", "tenants.json", true],
    ["deploy/*.json", "deploy/a.json", true],
    ["deploy/*.json", "deploy/prod/a.json", false], // "*" stays in one directory
    ["deploy/**/*.json", "deploy/a.json", true],
    ["deploy/**/*.json", "deploy/prod/eu/a.json", true],
    ["deploy/**", "deploy/prod/a.json", true],
    ["**/tenants.json", "tenants.json", true],
    ["t?.json", "t1.json", true],
    ["t?.json", "t12.json", false],
    ["*.nixops.json", "state/prod.nixops.json", true],
    ["a.b.json", "aXb.json", false], // "." is literal
    ["deploy/**", "deploy", false], // a final "**" needs something under the directory
    ["**", "deploy/prod/a.json", true],
    ["/**/a.json", "a.json", true],
    ["deploy/**/prod/**/*.json", "deploy/x/prod/y/z/a.json", true],
    ["deploy/**/prod/**/*.json", "deploy/x/staging/y/z/a.json", false],
    ["*a*b", "xaYb", true],
    ["*a*b", "xaYbc", false],
  ];
  for (const [glob, path, expected] of table) {
    it(`${glob} ${expected ? "matches" : "does not match"} ${path}`, () => {
      expect(fileGlobError(glob)).toBeNull();
      expect(matchesFileGlob(path, glob)).toBe(expected);
    });
  }
});

/**
 * The glob semantics as one regular expression, as fileGlob.ts built them before issue 15: the
 * reference the matcher must agree with, used here only on globs too small to backtrack long.
 */
function referenceRegExp(glob: string): RegExp {
  const segments = glob.replace(/^\//, "").split("/");
  let source = glob.includes("/") ? "^" : "^(?:.*/)?";
  segments.forEach((segment, i) => {
    const last = i === segments.length - 1;
    if (segment === "**") {
      source += last ? ".*" : "(?:[^/]+/)*";
      return;
    }
    source += segment.replace(/[.+^${}()|[\]\\]/g, "\\$&").replace(/\*/g, "[^/]*").replace(/\?/g, "[^/]");
    if (!last) source += "/";
  });
  return new RegExp(source + "$");
}

describe("the file glob matcher against the reference", () => {
  const glob = fc
    .tuple(fc.boolean(), fc.array(fc.constantFrom("a", "b", "ab", "a.b", "*", "?", "**", "a*", "*b", "?a", "*a*", "a?b"), { minLength: 1, maxLength: 5 }))
    .map(([rooted, segments]) => (rooted ? "/" : "") + segments.join("/"))
    .filter((g) => fileGlobError(g) === null);
  const path = fc
    .tuple(fc.boolean(), fc.array(fc.constantFrom("a", "b", "ab", "ba", "aab", "a.b", "axb", ""), { minLength: 1, maxLength: 6 }))
    .map(([dotSlash, segments]) => (dotSlash ? "./" : "") + segments.join("/"));

  it("agrees on small random globs and paths", () => {
    fc.assert(
      fc.property(glob, path, (g, p) => {
        expect(matchesFileGlob(p, g)).toBe(referenceRegExp(g).test(p.replace(/^\.\//, "")));
      }),
      { numRuns: 2000 },
    );
  });

  it("a name wildcard agrees with the reference on random names", () => {
    const text = fc.string({ unit: fc.constantFrom("a", "b", "*", "?"), maxLength: 8 });
    fc.assert(
      fc.property(text, fc.string({ unit: fc.constantFrom("a", "b", "?", "*"), maxLength: 8 }), (g, name) => {
        const literal = (s: string) => s.replace(/[?*]/g, "\\$&");
        const withQuestion = new RegExp("^" + g.split("").map((c) => (c === "*" ? "[^]*" : c === "?" ? "[^]" : literal(c))).join("") + "$");
        const starsOnly = new RegExp("^" + g.split("").map((c) => (c === "*" ? "[^]*" : literal(c))).join("") + "$");
        expect(matchesWildcard(name, g, true)).toBe(withQuestion.test(name));
        expect(matchesWildcard(name, g, false)).toBe(starsOnly.test(name));
      }),
      { numRuns: 2000 },
    );
  });
});

// Before issue 15 a glob became a backtracking regular expression: each of these took about a
// minute (2-core machine, Node 20) and so failed the 5 s limit set here, the runner's own
// timeout rather than a timed assertion. The matcher's cost is O(len(glob) * len(path)).
describe("globs built to backtrack finish at once", () => {
  const deepPath = Array.from({ length: 20 }, (_, i) => `d${i}`).join("/") + "/state.json";
  it("twelve ** segments against a deep path that does not match", () => {
    const glob = Array(12).fill("**").join("/") + "/tenants.json";
    expect(fileGlobError(glob)).toBeNull();
    expect(matchesFileGlob(deepPath, glob)).toBe(false);
    expect(matchesFileGlob(deepPath.replace("state.json", "tenants.json"), glob)).toBe(true);
  }, 5_000);

  it("nine * in one name against a long name that does not match", () => {
    const glob = "*" + "a*".repeat(9) + "b";
    expect(matchesFileGlob("a".repeat(40), glob)).toBe(false);
    expect(matchesFileGlob("a".repeat(40) + "b", glob)).toBe(true);
  }, 5_000);
});

describe("paths inside a document", () => {
  it("reads levels, * and JSON Pointer escapes, and writes them back", () => {
    expect(parseJsonPathPattern("/tenants/*/domains")).toEqual({ pattern: ["tenants", "*", "domains"] });
    expect(parseJsonPathPattern("/a~1b/c~0d")).toEqual({ pattern: ["a/b", "c~d"] });
    expect(parseJsonPathPattern("/")).toEqual({ pattern: [] });
    expect(formatJsonPathPattern(["a/b", "c~d"])).toBe("/a~1b/c~0d");
    expect(formatJsonPathPattern([])).toBe("/");
  });

  it("match a key per level, * within a level, and ? literally", () => {
    expect(matchesPattern(["prod", "ec2.tags"], ["*", "*tags"])).toBe(true);
    expect(matchesPattern(["prod", "tags"], ["*", "*tags"])).toBe(true);
    expect(matchesPattern(["prod", "tagsX"], ["*", "*tags"])).toBe(false);
    expect(matchesPattern(["prod", "a"], ["*", "?"])).toBe(false);
    expect(matchesPattern(["prod", "?"], ["*", "?"])).toBe(true);
    expect(matchesPattern(["prod"], ["*", "*"])).toBe(false);
  });

  // Before issue 15 a level with stars was a backtracking regular expression: this took about
  // a minute per key (so failed the runner's 5 s limit set here); now O(len(glob) * len(key)).
  it("a level with many * against a long key that does not match finishes at once", () => {
    const glob = "*" + "a*".repeat(9) + "b";
    expect(matchesPattern(["a".repeat(40)], [glob])).toBe(false);
    expect(matchesPattern(["a".repeat(40) + "b"], [glob])).toBe(true);
  }, 5_000);
});
