// Volatile paths never name whole records: a keyed array, one of its elements, or a NixOps
// deployment or machine. Ours would win there and drop what theirs added, so the merge ignores
// such a path even where the policy check cannot see it (a profile chosen by the content).

import { describe, expect, it } from "vitest";
import { buildProfile, profileRow } from "../../src/profiles/table";
import { overlayOf } from "../../src/profiles/overlay";
import { mergeTexts } from "../../src/pipeline/mergeTexts";

const volatile = (...add: string[][]) => ({ enabled: true, add, remove: [] });
const markers = { size: 7, ours: "ours", base: "base", theirs: "theirs", style: "merge" as const };

describe("volatile paths and whole records", () => {
  it("take no keyed array or element as volatile, only values inside elements", () => {
    const overlay = overlayOf({ keyedArrays: [{ pattern: ["tenants"], field: "id" }], volatile: volatile(["tenants"], ["tenants", "*"], ["tenants", "*", "lastSeen"]) });
    const policy = buildProfile(profileRow("json"), overlay).policy;
    expect(policy.isVolatile(["tenants"])).toBe(false);
    expect(policy.isVolatile(["tenants", '[id="a"]'])).toBe(false);
    expect(policy.isVolatile(["tenants", '[id="a"]', "lastSeen"])).toBe(true);
    // A Terraform state's own keyed arrays: its resources and their instances.
    const tf = buildProfile(profileRow("tfstate"), overlayOf({ volatile: volatile(["resources"], ["resources", "*"], ["resources", "*", "instances"]) })).policy;
    expect([["resources"], ["resources", '[mode,type,name="managed","aws_instance","web"]'], ["resources", '[mode,type,name="managed","aws_instance","web"]', "instances"]].map((p) => tf.isVolatile(p))).toEqual([false, false, false]);
  });

  it("keep the element theirs added when a policy names the keyed array volatile", () => {
    const doc = (tenants: string) => `{\n  "tenants": [\n${tenants}\n  ]\n}\n`;
    const inputs = {
      base: doc('    {"id": "a", "plan": "x"}'),
      ours: doc('    {"id": "a", "plan": "y"}'),
      theirs: doc('    {"id": "a", "plan": "x"},\n    {"id": "b", "plan": "z"}'),
    };
    const overlay = overlayOf({ keyedArrays: [{ pattern: ["tenants"], field: "id" }], volatile: volatile(["tenants"]) });
    const r = mergeTexts(inputs, { overlay, markers });
    if (r.kind !== "merged") throw new Error(r.reason);
    expect(r.conflicts).toEqual([]);
    expect(r.text).toContain('"id": "b"');
    expect(r.text).toContain('"plan": "y"');
    expect(r.autoResolved).toEqual([]);
  });
});
