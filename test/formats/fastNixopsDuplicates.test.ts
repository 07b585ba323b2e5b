// The record-by-record reading never settles a key written twice: whatever the level
// (deployment, resource, attribute of either) and whichever input holds it, it declines, and
// the whole parse, which reports every copy, takes the merge.

import { describe, expect, it } from "vitest";
import { readRecordByRecord } from "../support/framedReading";
import { State, fixtureText } from "../support/fixtures";
import { duplicateAttribute, duplicateRecord, type DuplicatePath } from "../support/duplicateKeys";

const FIXTURE = "hetzner-hcloud-multitenant";
const text = fixtureText(FIXTURE);
const s = State.fixture(FIXTURE);
const globex = s.uuid("tenant-globex");
const web: DuplicatePath = [globex, "resources", "globex-web"];

const written: Array<[string, (t: string) => string]> = [
  ["a deployment written twice (copy first)", (t) => duplicateRecord(t, [globex], "copy", "before")],
  ["a deployment written twice (copy last)", (t) => duplicateRecord(t, [globex], "copy", "after")],
  ["a resource written twice (copy first)", (t) => duplicateRecord(t, web, "copy", "before")],
  ["a resource written twice (copy last)", (t) => duplicateRecord(t, web, "copy", "after")],
  ["a resource attribute written twice", (t) => duplicateAttribute(t, web, "vmId", "1")],
  ["a deployment attribute written twice", (t) => duplicateAttribute(t, [globex], "description", "copy")],
];

describe("the record-by-record reading declines keys written twice", () => {
  it("reads the three plain inputs (the cases below differ only by the copy)", () => {
    expect(readRecordByRecord({ base: text, ours: text, theirs: text })).not.toBeNull();
  });
  for (const [what, edit] of written) {
    for (const input of ["base", "ours", "theirs"] as const) {
      it(`${what}, in ${input}`, () => {
        const inputs = { base: text, ours: text, theirs: text, [input]: edit(text) };
        expect(inputs[input]).not.toBe(text);
        expect(readRecordByRecord(inputs)).toBeNull();
      });
    }
  }
});
