// docs/merge-rules.md, "Levels and matching" and "Layout": other JSON merges by the same
// rules, objects by key, arrays atomic, in ours' layout, numbers exactly as written. The
// profile is chosen from the content.

import { describe, expect, it } from "vitest";
import { mergeTexts } from "../../src/pipeline/mergeTexts";
import { pickFromMarkers } from "../support/arbitraries";

const markers = { size: 7, ours: "ours", base: "base", theirs: "theirs", style: "merge" as const };

function merge(base: string, ours: string, theirs: string) {
  const r = mergeTexts({ base, ours, theirs }, { markers });
  if (r.kind !== "merged") throw new Error(r.reason);
  expect(r.profile.name).toBe("json");
  return r;
}

describe("generic JSON", () => {
  it("objects merge by key at any depth, whatever the key order of each side", () => {
    const base = '{\n  "a": {"x": 1, "y": 2},\n  "b": true\n}\n';
    const ours = '{\n  "a": {"x": 10, "y": 2},\n  "b": true\n}\n';
    const theirs = '{\n  "b": false,\n  "a": {"y": 2, "x": 1, "z": 3}\n}\n';
    const r = merge(base, ours, theirs);
    expect(r.conflicts).toEqual([]);
    expect(JSON.parse(r.text)).toEqual({ a: { x: 10, y: 2, z: 3 }, b: false });
    expect(Object.keys(JSON.parse(r.text))).toEqual(["a", "b"]);
  });

  it("arrays are atomic: both sides changing one differently is one conflict at the array", () => {
    const r = merge('{"list": [1, 2, 3]}\n', '{"list": [1, 2, 3, 4]}\n', '{"list": [0, 1, 2, 3]}\n');
    expect(r.conflicts.map((c) => [c.path, c.kind])).toEqual([[["list"], "modify/modify"]]);
    expect(JSON.parse(pickFromMarkers(r.text, "ours"))).toEqual({ list: [1, 2, 3, 4] });
    expect(JSON.parse(pickFromMarkers(r.text, "theirs"))).toEqual({ list: [0, 1, 2, 3] });
  });

  it("null is a value like any other", () => {
    const r = merge('{"a": 1, "b": null}\n', '{"a": 2, "b": null}\n', '{"a": 1, "b": null, "c": null}\n');
    expect(r.conflicts).toEqual([]);
    expect(r.text).toBe('{"a": 2, "b": null, "c": null}\n');
  });

  it("a string holding JSON is a plain string here (the embedded rule is the NixOps profile's)", () => {
    const r = merge('{"s": "{\\"a\\": 1, \\"b\\": 2}"}\n', '{"s": "{\\"b\\": 2, \\"a\\": 1}"}\n', '{"s": "{\\"a\\": 1, \\"b\\": 3}"}\n');
    expect(r.conflicts.map((c) => c.path)).toEqual([["s"]]);
  });

  it("keeps ours' layout: tab indent, CRLF line ends, no final newline, ours' key order", () => {
    const base = '{\r\n\t"z": 1,\r\n\t"a": {\r\n\t\t"k": "v"\r\n\t}\r\n}';
    const ours = '{\r\n\t"z": 2,\r\n\t"a": {\r\n\t\t"k": "v"\r\n\t}\r\n}';
    const theirs = '{\n    "a": {\n        "k": "w"\n    },\n    "z": 1,\n    "n": 5\n}\n';
    const r = merge(base, ours, theirs);
    expect(r.conflicts).toEqual([]);
    // "n" follows "z" in theirs, so it follows "z" here too.
    expect(r.text).toBe('{\r\n\t"z": 2,\r\n\t"n": 5,\r\n\t"a": {\r\n\t\t"k": "w"\r\n\t}\r\n}');
  });

  it("keeps a final newline when ours has one, and a key new from theirs follows the key it follows in theirs", () => {
    const r = merge('{\n  "a": 1,\n  "c": 3\n}\n', '{\n  "a": 1,\n  "c": 4\n}\n', '{\n  "a": 1,\n  "b": 2,\n  "c": 3\n}\n');
    expect(r.text).toBe('{\n  "a": 1,\n  "b": 2,\n  "c": 4\n}\n');
  });

  it("numbers are kept exactly as written, never rounded through a float", () => {
    const base = '{"v": 1.10, "big": 1e400, "id": 12345678901234567890, "n": 0}\n';
    const ours = '{"v": 1.10, "big": 1e400, "id": 12345678901234567890, "n": 1}\n';
    const theirs = '{"v": 1.10, "big": 1e400, "id": 12345678901234567890, "n": 0, "e": -0.0}\n';
    const r = merge(base, ours, theirs);
    expect(r.text).toContain("1.10");
    expect(r.text).toContain("1e400");
    expect(r.text).toContain("12345678901234567890");
    expect(r.text).toContain("-0.0");
    expect(r.text).toContain('"n": 1');
  });

  it("a number changed only in spelling (1.10 vs 1.1) is a change, not silently equal", () => {
    const r = merge('{"v": 1.1}\n', '{"v": 1.10}\n', '{"v": 1.100}\n');
    expect(r.conflicts.map((c) => c.path)).toEqual([["v"]]);
  });

  it('"__proto__" is a plain key: merged, kept, and no prototype is touched', () => {
    const r = merge('{"__proto__": {"a": 1}, "x": 1}\n', '{"__proto__": {"a": 2}, "x": 1}\n', '{"__proto__": {"a": 1, "b": 3}, "x": 2}\n');
    expect(r.conflicts).toEqual([]);
    expect(r.text).toContain('"__proto__": {"a": 2, "b": 3}');
    expect(r.text).toContain('"x": 2');
    expect(({} as Record<string, unknown>).a).toBeUndefined();
  });

  it("a conflict at the document root (a top-level array changed on both sides) has the path []", () => {
    const r = merge("[1, 2]\n", "[1, 2, 3]\n", "[0, 1, 2]\n");
    expect(r.conflicts.map((c) => [c.path, c.kind])).toEqual([[[], "modify/modify"]]);
    expect(JSON.parse(pickFromMarkers(r.text, "ours"))).toEqual([1, 2, 3]);
    expect(JSON.parse(pickFromMarkers(r.text, "theirs"))).toEqual([0, 1, 2]);
  });

  it("deleted on one side and changed on the other conflicts at that key", () => {
    const r = merge('{"a": {"b": 1}, "c": 0}\n', '{"c": 0}\n', '{"a": {"b": 2}, "c": 0}\n');
    expect(r.conflicts.map((c) => [c.path, c.kind])).toEqual([[["a"], "delete/modify"]]);
    for (const side of ["ours", "theirs"] as const) JSON.parse(pickFromMarkers(r.text, side));
  });
});
