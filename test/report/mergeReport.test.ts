// The auto-resolved line for a record one side deleted while the other only rewrote a volatile
// value in it names whose deletion stood and no value of it, also for a keyed-array element
// (a tenant by its id) and not only for a NixOps machine (test/driver/runMergeDriver.test.ts).

import { describe, expect, it } from "vitest";
import { mergeTexts } from "../../src/pipeline/mergeTexts";
import { DEFAULT_MARKERS } from "../../src/formats/renderDocument";
import { overlayOf } from "../../src/profiles/overlay";
import { autoResolvedLine } from "../../src/report/mergeReport";

const doc = (tenants: Array<{ id: string; lastSeen: number }>) => JSON.stringify({ tenants }, null, 2) + "\n";
const overlay = overlayOf({ keyedArrays: [{ pattern: ["tenants"], field: "id" }], volatile: { enabled: true, add: [["tenants", "*", "lastSeen"]], remove: [] } });

describe("the auto-resolved line of a deletion that stood", () => {
  for (const deleter of ["ours", "theirs"] as const) {
    it(`a tenant ${deleter} deleted while the other side only rewrote its lastSeen: ${deleter}' deletion, no value`, () => {
      const base = doc([{ id: "a", lastSeen: 1 }, { id: "b", lastSeen: 1 }]);
      const without = doc([{ id: "b", lastSeen: 1 }]);
      const touched = doc([{ id: "a", lastSeen: 777 }, { id: "b", lastSeen: 1 }]);
      const [ours, theirs] = deleter === "ours" ? [without, touched] : [touched, without];
      const r = mergeTexts({ base, ours, theirs }, { markers: DEFAULT_MARKERS, overlay });
      if (r.kind !== "merged") throw new Error(`fell back: ${r.reason}`);
      expect(r.conflicts).toEqual([]);
      expect(JSON.parse(r.text).tenants.map((t: { id: string }) => t.id)).toEqual(["b"]);
      const lines = r.autoResolved.map((a) => autoResolvedLine(a, r.profile, r.documents));
      const other = deleter === "ours" ? "theirs" : "ours";
      expect(lines).toEqual([`statefile-merge: auto-resolved volatile value in /tenants/a/lastSeen: ${deleter} deleted /tenants/a, and ${other} changed only volatile values in it, so it stays deleted`]);
      expect(lines.join("\n")).not.toContain("777");
    });
  }
});
