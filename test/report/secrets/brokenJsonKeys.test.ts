// Reading the key paths of JSON text cut short: on whole JSON it finds exactly the key paths
// the parser sees; on any cut of it, only key paths of the whole (so a secret key written
// before the cut is found, and nothing is made up).

import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { keyPathsIn, looksLikeJson } from "../../../src/report/brokenJsonKeys";

/** Every key path of a parsed value, in document order (an oracle independent of the scanner). */
function keyPaths(v: unknown, path: string[] = []): string[][] {
  if (Array.isArray(v)) return v.flatMap((x, i) => keyPaths(x, [...path, String(i)]));
  if (v !== null && typeof v === "object") return Object.entries(v).flatMap(([k, x]) => [[...path, k], ...keyPaths(x, [...path, k])]);
  return [];
}

// Keys that JS objects keep in written order (no integer-like keys), with quotes and braces inside.
const key = fc.string({ unit: fc.constantFrom("a", "b", "{", "}", "[", '"', "\\", ":", ",", " ", "é"), minLength: 1, maxLength: 5 }).filter((k) => !/^\d+$/.test(k));
const value = fc.letrec((tie) => ({
  node: fc.oneof(
    { depthSize: "small" },
    fc.string({ unit: fc.constantFrom("x", "{", '"', ":", ","), maxLength: 4 }),
    fc.integer(),
    fc.constant(null),
    fc.array(tie("node"), { maxLength: 3 }),
    fc.dictionary(key, tie("node"), { maxKeys: 3 }),
  ),
})).node;
const document = fc.dictionary(key, value, { minKeys: 1, maxKeys: 4 });

describe("key paths in broken JSON", () => {
  it("a keys blob cut inside its secret: the secret's key path is found", () => {
    expect(keyPathsIn('{"app-env": {"text": "DB_URL=postgres://app:s3cr')).toEqual([["app-env"], ["app-env", "text"]]);
    expect(keyPathsIn('[{"a": 1}, {"password": "x')).toEqual([["0", "a"], ["1", "password"]]);
    expect(looksLikeJson('  {"a": ')).toBe(true);
    expect(looksLikeJson("{ config, lib, ... }:")).toBe(true);
    expect(keyPathsIn("{ config, lib, pkgs, ... }:\n{ imports = [ ./hw.nix ]; }")).toEqual([]);
  });

  it("whole JSON: exactly the parser's key paths; any cut: only key paths of the whole", () => {
    fc.assert(
      fc.property(document, fc.boolean(), fc.nat(), (doc, indent, cutAt) => {
        const text = JSON.stringify(doc, null, indent ? 2 : undefined);
        const whole = keyPaths(JSON.parse(text));
        expect(keyPathsIn(text)).toEqual(whole);
        const cut = keyPathsIn(text.slice(0, cutAt % (text.length + 1)));
        // A key counts once its ":" is written: a cut never yields a key cut short.
        expect(cut).toEqual(whole.slice(0, cut.length));
      }),
      { numRuns: 300 },
    );
  });
});
