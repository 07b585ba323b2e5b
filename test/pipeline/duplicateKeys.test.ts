// A machine must not vanish: a record written twice in one input (a bad hand merge), while
// the other side deletes or changes what holds it, is a `duplicate` conflict whose sides show
// every copy, on the record-by-record reading and on the whole parse alike. Fixed cases on
// the hetzner fixture, the regression cases of test/properties/duplicateKeys.test.ts.

import { describe, expect, it } from "vitest";
import { mergeTexts, type MergeResult } from "../../src/pipeline/mergeTexts";
import { parseJson } from "../../src/formats/parseJson";
import { State, fixtureText } from "../support/fixtures";
import { canonical, pickFromMarkers } from "../support/arbitraries";
import { duplicateAttribute, duplicateRecord } from "../support/duplicateKeys";

const FIXTURE = "hetzner-hcloud-multitenant";
const markers = { size: 7, ours: "ours", base: "base", theirs: "theirs", style: "diff3" as const };
const state = () => State.fixture(FIXTURE);
const globex = state().uuid("tenant-globex");
const WEB: [string, "resources", string] = [globex, "resources", "globex-web"];

function mergeBoth(base: string, ours: string, theirs: string): MergeResult[] {
  return [false, true].map((wholeParse) => mergeTexts({ base, ours, theirs }, { markers, wholeParse }));
}

function merged(r: MergeResult): Extract<MergeResult, { kind: "merged" }> {
  if (r.kind !== "merged") throw new Error(`fell back: ${r.reason}`);
  return r;
}

/** The fixture without deployment tenant-globex (what `nixops delete -d tenant-globex` leaves). */
function withoutGlobex(): string {
  const s = state();
  s.doc.delete(globex);
  return s.text();
}

describe("a record written twice while the other side deletes the deployment holding it", () => {
  const base = fixtureText(FIXTURE);
  const oursDeleted = withoutGlobex();

  for (const position of ["before", "after"] as const) {
    it(`theirs holds globex-web twice (the copy written ${position}): a duplicate conflict at the deployment, both machines in theirs' side`, () => {
      const theirs = duplicateRecord(base, WEB, "the-forgotten-machine", position);
      for (const r of mergeBoth(base, oursDeleted, theirs).map(merged)) {
        expect(r.conflicts.map((c) => [c.path, c.kind])).toEqual([[[globex], "duplicate"]]);
        const theirsSide = pickFromMarkers(r.text, "theirs");
        expect(theirsSide).toContain("the-forgotten-machine");
        // Taking theirs gives theirs' text back: both copies, as written.
        expect(parseJson(theirsSide).duplicates.map((d) => d.path)).toEqual([WEB]);
        expect(pickFromMarkers(r.text, "ours")).not.toContain("tenant-globex");
      }
    });
  }

  it("the base held the copy and theirs kept it unchanged: still a conflict, not a silent deletion", () => {
    const twice = duplicateRecord(base, WEB, "copy-in-base", "before");
    for (const r of mergeBoth(twice, oursDeleted, twice).map(merged)) {
      expect(r.conflicts.map((c) => [c.path, c.kind])).toEqual([[[globex], "duplicate"]]);
      expect(pickFromMarkers(r.text, "theirs")).toContain("copy-in-base");
      expect(pickFromMarkers(r.text, "base")).toContain("copy-in-base");
    }
  });

  it("ours holds the copy, theirs deleted the deployment: the mirror case", () => {
    const ours = duplicateRecord(base, WEB, "copy-in-ours", "after");
    for (const r of mergeBoth(base, ours, oursDeleted).map(merged)) {
      expect(r.conflicts.map((c) => [c.path, c.kind])).toEqual([[[globex], "duplicate"]]);
      expect(pickFromMarkers(r.text, "ours")).toContain("copy-in-ours");
    }
  });

  it("the deployment itself written twice, the other side deleting it: every copy in the hunk", () => {
    const theirs = duplicateRecord(base, [globex], "second-globex", "before");
    for (const r of mergeBoth(base, oursDeleted, theirs).map(merged)) {
      expect(r.conflicts.map((c) => [c.path, c.kind])).toEqual([[[globex], "duplicate"]]);
      expect(pickFromMarkers(r.text, "theirs")).toContain("second-globex");
    }
  });

  it("an attribute written twice falls back to the line merge, naming the key", () => {
    const theirs = duplicateAttribute(base, WEB, "vmId", "77777777");
    for (const r of mergeBoth(base, withoutGlobex(), theirs)) {
      expect(r.kind).toBe("fallback");
      if (r.kind === "fallback") expect(r.reason).toContain('"vmId" twice');
    }
  });
});

/** Every key written twice, with every value it was given, as comparable text. */
function duplicatesOf(text: string): unknown {
  return parseJson(text).duplicates.map((d) => [d.path, d.values.map(canonical)]);
}

describe("copies inside copies", () => {
  const base = fixtureText(FIXTURE);
  /** globex-web twice in tenant-globex, then tenant-globex twice: each copy with its own two machines. */
  function nested(): string {
    const inner = duplicateRecord(base, WEB, "inner-a", "before");
    const both = duplicateRecord(inner, [globex], "outer", "after");
    const last = both.lastIndexOf("inner-a");
    return both.slice(0, last) + "inner-b" + both.slice(last + "inner-a".length);
  }

  it("theirs' side of the conflict holds every copy at both levels, as theirs wrote them", () => {
    const theirs = nested();
    expect(parseJson(theirs).duplicates.map((d) => [d.path, d.values.length])).toEqual([
      [WEB, 4],
      [[globex], 2],
    ]);
    for (const r of mergeBoth(base, base, theirs).map(merged)) {
      expect(r.conflicts.map((c) => [c.path, c.kind])).toEqual([[[globex], "duplicate"]]);
      const theirsSide = pickFromMarkers(r.text, "theirs");
      for (const marker of ["inner-a", "inner-b", "outer"]) expect(theirsSide).toContain(marker);
      expect(duplicatesOf(theirsSide)).toEqual(duplicatesOf(theirs));
    }
  });

  it("the same while ours deletes the deployment", () => {
    const theirs = nested();
    for (const r of mergeBoth(base, withoutGlobex(), theirs).map(merged)) {
      expect(r.conflicts.map((c) => [c.path, c.kind])).toEqual([[[globex], "duplicate"]]);
      expect(duplicatesOf(pickFromMarkers(r.text, "theirs"))).toEqual(duplicatesOf(theirs));
    }
  });
});

describe("a record written twice while the other side deletes or changes the resource itself", () => {
  const base = fixtureText(FIXTURE);

  it("ours deletes globex-web, theirs holds it twice: a duplicate conflict at the resource", () => {
    const ours = state().remove("tenant-globex", "globex-web").text();
    const theirs = duplicateRecord(base, WEB, "copy-of-web", "before");
    for (const r of mergeBoth(base, ours, theirs).map(merged)) {
      expect(r.conflicts.map((c) => [c.path, c.kind])).toEqual([[WEB, "duplicate"]]);
      expect(pickFromMarkers(r.text, "theirs")).toContain("copy-of-web");
    }
  });

  it("ours changes globex-web, theirs holds it twice: a duplicate conflict, ours' change in ours' side", () => {
    const ours = state().set("tenant-globex", "globex-web", "state", "9").text();
    const theirs = duplicateRecord(base, WEB, "copy-of-web", "after");
    for (const r of mergeBoth(base, ours, theirs).map(merged)) {
      expect(r.conflicts.map((c) => [c.path, c.kind])).toEqual([[WEB, "duplicate"]]);
      expect(pickFromMarkers(r.text, "theirs")).toContain("copy-of-web");
      expect(pickFromMarkers(r.text, "ours")).toContain('"state": "9"');
    }
  });
});
