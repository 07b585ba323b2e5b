// canonicalBeside, the quick form of "is this record what the NixOps writer prints" for a
// record whose other side's version is known to be: it must answer as the full scan does.

import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { canonicalBeside, canonicalRecordSize } from "../../src/formats/fastRecord";
import { fixtureText } from "../support/fixtures";

/** Every resource record of the fixture, as the text between its braces (indented as in the file). */
function recordsOf(name: string): string[] {
  const text = fixtureText(name);
  return [...text.matchAll(/^ {6}"[^"]+": (\{\n(?: {8}.*\n)* {6}\})/gm)].map((m) => m[1]);
}

/** Line edits a hand, a deploy or a broken writer could make. */
const EDITS: Array<(lines: string[], i: number) => string[]> = [
  (l, i) => l.map((x, j) => (j === i ? x.replace(/"(,?)$/, 'x"$1') : x)), // a deploy's new value (one more character at its end)
  (l, i) => l.map((x, j) => (j === i ? x.replace(/^( {8}")/, "$1z") : x)), // another key
  (l, i) => [...l.slice(0, i + 1), l[i], ...l.slice(i + 1)], // a line written twice
  (l, i) => l.filter((_, j) => j !== i), // a line removed
  (l, i) => l.map((x, j) => (j === i ? x.replace(/",$/, '"') : x)), // a separator dropped
  (l, i) => l.map((x, j) => (j === i ? x.replace(/: "/, ': "\\/') : x)), // an escape Python never writes
  (l, i) => l.map((x, j) => (j === i ? x.replace(/: "[^"]*"/, ": 3") : x)), // not a string
  (l, i) => l.map((x, j) => (j === i ? "=======" : x)), // a conflict marker line
  (l, i) => l.map((x, j) => (j === i ? x.replace(/^ {8}/, "       ") : x)), // off its indent
];

describe("canonicalBeside", () => {
  const records = ["ec2-prod-5machines", "hetzner-hcloud-multitenant", "vbox-none-2machines"].flatMap(recordsOf);

  it("finds records to test on, all of them the writer's", () => {
    expect(records.length).toBeGreaterThan(10);
    for (const r of records) expect(canonicalRecordSize(r, ",")).not.toBeNull();
  });

  it("never calls a record the writer's that the full scan refuses, after any line edits", () => {
    fc.assert(
      fc.property(fc.nat(records.length - 1), fc.array(fc.tuple(fc.nat(EDITS.length - 1), fc.nat(60)), { minLength: 1, maxLength: 3 }), (r, edits) => {
        const canonical = records[r];
        let lines = canonical.split("\n");
        for (const [e, at] of edits) lines = EDITS[e](lines, at % lines.length);
        const text = lines.join("\n");
        // It may refuse more (a renamed attribute is left to the full reading), never accept more.
        if (canonicalBeside(text, canonical, ",")) expect(canonicalRecordSize(text, ",")).not.toBeNull();
      }),
      { numRuns: 500 },
    );
  });

  it("takes a deploy's new values, the usual change, as the writer's", () => {
    fc.assert(
      fc.property(fc.nat(records.length - 1), fc.array(fc.nat(60), { minLength: 1, maxLength: 4 }), (r, at) => {
        const canonical = records[r];
        let lines = canonical.split("\n");
        for (const i of at) lines = EDITS[0](lines, 1 + (i % (lines.length - 2)));
        const text = lines.join("\n");
        expect(canonicalRecordSize(text, ",")).not.toBeNull();
        expect(canonicalBeside(text, canonical, ",")).toBe(true);
      }),
      { numRuns: 200 },
    );
  });
});
