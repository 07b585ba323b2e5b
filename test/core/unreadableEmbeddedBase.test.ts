// Embedded JSON is embedded only where every present side reads as JSON without a repeated key
// (docs/merge-rules.md, Embedded JSON): when the base's text does not (a keys blob cut short by
// a hand edit, or with an entry written twice), what each side removed from it cannot be known,
// and ours' and theirs' different changes are one conflict at the attribute, never a union that
// brings back what a side removed. Checked through both readings of the real text.

import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { mergeTexts } from "../../src/pipeline/mergeTexts";
import { DEFAULT_MARKERS } from "../../src/formats/renderDocument";
import { pyDumps, State } from "../support/fixtures";
import { resourcePath } from "../support/nixopsRecords";
import type { JsonObject } from "../../src/core/values";

const base = () => State.fixture("ec2-prod-5machines");
const entry = (text: string): JsonObject => new Map([["text", text]]);
const blobOf = (names: readonly string[]) => new Map(names.map((n) => [n, entry(`${n}-secret`)])) as JsonObject;

/** A blob's text made unreadable: cut short, or its last entry written twice. */
function unreadable(names: readonly string[], how: "cut" | "twice"): string {
  const text = pyDumps(blobOf(names));
  if (how === "cut") return text.slice(0, -2);
  const last = names[names.length - 1];
  return text.slice(0, -1) + `, ${JSON.stringify(last)}: ${pyDumps(entry(`${last}-secret`))}}`;
}

describe("an embedded value whose base text does not read as JSON", () => {
  it("ours removing an entry and theirs adding one is a conflict at the attribute, in either reading", () => {
    const names = fc.uniqueArray(fc.constantFrom("app-env", "db-env", "tls", "vault", "smtp"), { minLength: 2, maxLength: 5 });
    fc.assert(
      fc.property(names, fc.constantFrom("cut" as const, "twice" as const), fc.boolean(), fc.boolean(), (keys, how, swap, wholeParse) => {
        const kept = keys.slice(1);
        const b = base().set("prod", "app1", "keys", unreadable(keys, how));
        const removing = base().set("prod", "app1", "keys", pyDumps(blobOf(kept)));
        const adding = base().set("prod", "app1", "keys", pyDumps(blobOf([...keys, "added"])));
        const [ours, theirs] = swap ? [adding, removing] : [removing, adding];
        const r = mergeTexts({ base: b.text(), ours: ours.text(), theirs: theirs.text() }, { markers: DEFAULT_MARKERS, wholeParse });
        if (r.kind !== "merged") throw new Error(`fell back: ${r.reason}`);
        expect(r.conflicts.map((c) => [c.path, c.kind])).toEqual([[[...resourcePath(b, "prod", "app1"), "keys"], "modify/modify"]]);
        // Each side's text whole in its section: the removal is not undone behind the user's back.
        expect(r.text).toContain(JSON.stringify(ours.get("prod", "app1", "keys")));
        expect(r.text).toContain(JSON.stringify(theirs.get("prod", "app1", "keys")));
      }),
      { numRuns: 60 },
    );
  });

  it("the control: the same changes over a readable base merge by value inside, the removal kept", () => {
    const b = base().set("prod", "app1", "keys", pyDumps(blobOf(["app-env", "db-env"])));
    const ours = base().set("prod", "app1", "keys", pyDumps(blobOf(["app-env"])));
    const theirs = base().set("prod", "app1", "keys", pyDumps(blobOf(["app-env", "db-env", "added"])));
    const r = mergeTexts({ base: b.text(), ours: ours.text(), theirs: theirs.text() }, { markers: DEFAULT_MARKERS });
    if (r.kind !== "merged") throw new Error(`fell back: ${r.reason}`);
    expect(r.conflicts).toEqual([]);
    expect(r.text).toContain(JSON.stringify(pyDumps(blobOf(["app-env", "added"]))));
  });
});
