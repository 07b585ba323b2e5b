import { describe, expect, it } from "vitest";
import { fileGlobError, matchesFileGlob } from "../../src/policy/fileGlob";
import { formatJsonPathPattern, parseJsonPathPattern } from "../../src/profiles/pathPattern";

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
  ];
  for (const [glob, path, expected] of table) {
    it(`${glob} ${expected ? "matches" : "does not match"} ${path}`, () => {
      expect(fileGlobError(glob)).toBeNull();
      expect(matchesFileGlob(path, glob)).toBe(expected);
    });
  }
});

describe("paths inside a document", () => {
  it("reads levels, * and JSON Pointer escapes, and writes them back", () => {
    expect(parseJsonPathPattern("/tenants/*/domains")).toEqual({ pattern: ["tenants", "*", "domains"] });
    expect(parseJsonPathPattern("/a~1b/c~0d")).toEqual({ pattern: ["a/b", "c~d"] });
    expect(parseJsonPathPattern("/")).toEqual({ pattern: [] });
    expect(formatJsonPathPattern(["a/b", "c~d"])).toBe("/a~1b/c~0d");
    expect(formatJsonPathPattern([])).toBe("/");
  });
});
