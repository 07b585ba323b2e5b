import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { diffTexts } from "../../src/review/diffTexts";
import { State } from "../support/fixtures";

const BASE = State.fixture("ec2-prod-5machines");
const RESOURCES = [...BASE.resources("prod").keys()];
const ATTRS = ["publicIpv4", "privateIpv4", "ec2.instanceType", "index", "newAttribute"];

describe("the semantic diff names exactly what was changed", () => {
  it("one attribute set on one resource: that resource, that attribute, nothing else", () => {
    fc.assert(
      fc.property(fc.constantFrom(...RESOURCES), fc.constantFrom(...ATTRS), fc.string({ minLength: 1, maxLength: 12 }), (resource, attr, value) => {
        const after = BASE.clone().set("prod", resource, attr, value);
        const { diff } = diffTexts(BASE.text(), after.text());
        if (diff.kind !== "nixops") return false;
        const changed = diff.deployments.flatMap((d) => d.resources.map((r) => [r.name, r.attributes.map((a) => a.path.join("/"))]));
        const unchanged = BASE.get("prod", resource, attr) === value;
        expect(changed).toEqual(unchanged ? [] : [[resource, [attr]]]);
        return true;
      }),
      { numRuns: 60 },
    );
  });

  it("diffing is symmetric: added and removed swap, the same resources are named", () => {
    fc.assert(
      fc.property(fc.subarray(RESOURCES, { minLength: 1 }), (removed) => {
        const after = BASE.clone();
        for (const r of removed) after.remove("prod", r);
        const forward = diffTexts(BASE.text(), after.text()).diff;
        const backward = diffTexts(after.text(), BASE.text()).diff;
        if (forward.kind !== "nixops" || backward.kind !== "nixops") return false;
        const names = (d: typeof forward, change: string) => d.deployments.flatMap((x) => x.resources.filter((r) => r.change === change).map((r) => r.name)).sort();
        expect(names(forward, "removed")).toEqual([...removed].sort());
        expect(names(backward, "added")).toEqual([...removed].sort());
        return true;
      }),
      { numRuns: 30 },
    );
  });
});
