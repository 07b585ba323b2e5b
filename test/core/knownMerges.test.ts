// A reading may hand the merge records it merged already (knownMerges: a record only theirs
// changed, merged line by line). The merge takes that result wherever it meets the record,
// also inside a deployment ours left as it was, and the result is the one it would build.

import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { mergeDocuments } from "../../src/core/mergeValues";
import { PLAIN_POLICY, type KnownMerge } from "../../src/core/policy";
import { valuesEqual, type JsonObject, type JsonValue } from "../../src/core/values";

const record = fc.dictionary(fc.constantFrom("state", "toplevel", "vmId", "type"), fc.string({ maxLength: 4 }), { minKeys: 1 });
const asMap = (r: Record<string, string>): JsonObject => new Map(Object.entries(r));

/** A deployment whose resources are these records, by name. */
const deployment = (records: Map<string, JsonValue>): JsonObject =>
  new Map<string, JsonValue>([
    ["name", "prod"],
    ["resources", records],
  ]);

describe("known merges", () => {
  it("stand for the record inside a deployment only theirs changed, and equal what the merge builds", () => {
    fc.assert(
      fc.property(record, record, record, (kept, changedBefore, changedAfter) => {
        fc.pre(!valuesEqual(asMap(changedBefore), asMap(changedAfter)));
        const same = asMap(kept);
        const mine = asMap(changedBefore);
        const theirsRecord = asMap(changedAfter);
        // Base and ours: equal values, separate objects (as two readings of the same text give).
        const base = deployment(new Map<string, JsonValue>([["app", asMap(changedBefore)], ["db", same]]));
        const ours = deployment(new Map<string, JsonValue>([["app", mine], ["db", same]]));
        const theirs = deployment(new Map<string, JsonValue>([["app", theirsRecord], ["db", same]]));
        const plain = mergeDocuments(base, ours, theirs, PLAIN_POLICY);
        const merged: JsonValue = new Map(theirsRecord);
        const knownMerges = new Map<object, KnownMerge>([[theirsRecord, { ours: mine, merged }]]);
        const quick = mergeDocuments(base, ours, theirs, PLAIN_POLICY, { knownMerges });
        const app = (v: unknown) => ((v as JsonObject).get("resources") as JsonObject).get("app");
        expect(app(quick.merged)).toBe(merged);
        expect(valuesEqual(quick.merged as JsonValue, plain.merged as JsonValue)).toBe(true);
        expect(quick.conflicts).toEqual(plain.conflicts);
      }),
    );
  });

  it("are not taken for another side's record", () => {
    const mine = asMap({ state: "3" });
    const other = asMap({ state: "3" });
    const theirsRecord = asMap({ state: "5" });
    const base = deployment(new Map<string, JsonValue>([["app", asMap({ state: "3" })]]));
    const ours = deployment(new Map<string, JsonValue>([["app", mine]]));
    const theirs = deployment(new Map<string, JsonValue>([["app", theirsRecord]]));
    const wrong: JsonValue = new Map([["state", "wrong"]]);
    const out = mergeDocuments(base, ours, theirs, PLAIN_POLICY, { knownMerges: new Map([[theirsRecord, { ours: other, merged: wrong }]]) });
    expect(((out.merged as JsonObject).get("resources") as JsonObject).get("app")).not.toBe(wrong);
  });
});
