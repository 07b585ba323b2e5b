// Keyed arrays through the whole pipeline: hunks at elements are whole lines, either side of
// every hunk is valid JSON, and the merged file keeps ours' layout.

import { describe, expect, it } from "vitest";
import { mergeTexts, type MergeSettings } from "../../../src/pipeline/mergeTexts";
import type { Markers } from "../../../src/formats/renderDocument";
import { overlayOf } from "../../../src/profiles/overlay";
import { copy, find, parsePlain, registry, takeSide, tenant, text, type Registry } from "../../support/tenants";

const settings = (style: "merge" | "diff3" = "merge"): MergeSettings & { markers: Markers } => ({
  markers: { size: 7, ours: "ours", base: "base", theirs: "theirs", style },
  overlay: overlayOf({
    keyedArrays: [
      { pattern: ["tenants"], field: "id" },
      { pattern: ["tenants", "*", "domains"], field: "name" },
    ],
  }),
});

function merged(base: string, ours: string, theirs: string, style: "merge" | "diff3" = "merge") {
  const r = mergeTexts({ base, ours, theirs }, settings(style));
  if (r.kind !== "merged") throw new Error(`fell back: ${r.reason}`);
  return r;
}

describe("hunks at keyed array elements", () => {
  // Deleted on one side at the end of the array: the element before it needs a comma on one
  // side only, so it is written inside the hunk with each side's own comma.
  it("a delete/modify of the last element: both sides parse and hold what each side wants", () => {
    const base = registry("acme", "globex");
    const ours = copy(base);
    ours.tenants.pop();
    const theirs = copy(base);
    find(theirs, "globex").plan = "pro";
    for (const style of ["merge", "diff3"] as const) {
      const r = merged(text(base), text(ours), text(theirs), style);
      expect(r.conflicts).toHaveLength(1);
      expect(parsePlain(takeSide(r.text, "ours"))).toEqual(ours);
      expect(parsePlain(takeSide(r.text, "theirs"))).toEqual(theirs);
      // Markers stand on lines of their own, around whole elements.
      for (const line of r.text.split("\n").filter((l) => /^[<=>|]{7}/.test(l))) expect(line).toMatch(/^(<{7} ours|\|{7} base|={7}|>{7} theirs)$/);
    }
  });

  it("the first element deleted on one side and changed on the other", () => {
    const base = registry("acme", "globex");
    const ours = copy(base);
    ours.tenants.shift();
    ours.tenants.push(tenant("hooli"));
    const theirs = copy(base);
    find(theirs, "acme").plan = "pro";
    const r = merged(text(base), text(ours), text(theirs));
    const o = parsePlain(takeSide(r.text, "ours")) as Registry;
    const t = parsePlain(takeSide(r.text, "theirs")) as Registry;
    expect(o.tenants.map((x) => x.id)).toEqual(["globex", "hooli"]);
    expect(t.tenants.map((x) => x.id)).toEqual(["acme", "globex", "hooli"]);
    expect(find(t, "acme").plan).toBe("pro");
  });

  it("an element added on both sides with different content, next to clean adds", () => {
    const base = registry("acme");
    const ours = copy(base);
    ours.tenants.push(tenant("hooli", { plan: "pro" }), tenant("pied"));
    const theirs = copy(base);
    theirs.tenants.push(tenant("hooli", { plan: "free" }));
    theirs.tenants.unshift(tenant("aviato"));
    const r = merged(text(base), text(ours), text(theirs));
    expect(r.conflicts.map((c) => c.kind)).toEqual(["add/add"]);
    const o = parsePlain(takeSide(r.text, "ours")) as Registry;
    const t = parsePlain(takeSide(r.text, "theirs")) as Registry;
    expect(o.tenants.map((x) => [x.id, x.plan])).toEqual([["aviato", "basic"], ["acme", "basic"], ["hooli", "pro"], ["pied", "basic"]]);
    expect(t.tenants.map((x) => [x.id, x.plan])).toEqual([["aviato", "basic"], ["acme", "basic"], ["hooli", "free"], ["pied", "basic"]]);
  });

  it("a conflict inside a nested keyed array (a domain of a tenant)", () => {
    const base = registry("acme");
    const ours = copy(base);
    find(ours, "acme").domains = [];
    const theirs = copy(base);
    find(theirs, "acme").domains[0].tls = false;
    const r = merged(text(base), text(ours), text(theirs));
    expect(r.conflicts.map((c) => [c.path, c.kind])).toEqual([[["tenants", '[id="acme"]', "domains", '[name="acme.example.org"]'], "delete/modify"]]);
    expect(parsePlain(takeSide(r.text, "ours"))).toEqual(ours);
    expect(parsePlain(takeSide(r.text, "theirs"))).toEqual(theirs);
  });
});

describe("generic JSON keeps ours' layout", () => {
  const base = registry("acme", "globex");
  const ours = copy(base);
  ours.tenants.push(tenant("hooli"));
  const theirs = copy(base);
  find(theirs, "globex").plan = "pro";
  const expected = copy(ours);
  find(expected, "globex").plan = "pro";

  for (const [name, indent, newline] of [
    ["tabs and CRLF", "\t", "\r\n"],
    ["four spaces", 4, "\n"],
    ["two spaces", 2, "\n"],
  ] as const) {
    it(`${name}: a clean merge is what JSON.stringify writes with ours' indent and line ends`, () => {
      const r = merged(text(base), text(ours, indent, newline), text(theirs));
      expect(r.conflicts).toEqual([]);
      expect(r.text).toBe(text(expected, indent, newline));
    });
  }

  it("no final newline stays without one; key order is ours' (theirs' new key after its neighbour)", () => {
    const o = { z: 1, tenants: ours.tenants, a: 2 };
    const t = { z: 1, tenants: theirs.tenants, added: true, a: 2 };
    const b = { z: 1, tenants: base.tenants, a: 2 };
    const r = merged(JSON.stringify(b, null, 2), JSON.stringify(o, null, 2), JSON.stringify(t, null, 2));
    expect(r.text).toBe(JSON.stringify({ z: 1, tenants: expected.tenants, added: true, a: 2 }, null, 2));
  });

  // JSON.stringify's one line with other separators (the values hold no "," or ":").
  const oneLine = (v: unknown, item: string, key: string) => JSON.stringify(v).replace(/,(?=["{[\d-tfn])/g, item).replace(/":/g, '"' + key);

  it("a one-line file stays on one line, with ours' separators", () => {
    for (const [item, key] of [[",", ":"], [", ", ": "]]) {
      const r = merged(oneLine(base, item, key), oneLine(ours, item, key), oneLine(theirs, item, key));
      expect(r.text).toBe(oneLine(expected, item, key));
    }
  });

  it("a one-line file with a conflict is spread over lines so the markers stand alone", () => {
    const t = copy(theirs);
    find(t, "acme").plan = "x";
    const o = copy(ours);
    find(o, "acme").plan = "y";
    const r = merged(oneLine(base, ", ", ": "), oneLine(o, ", ", ": "), oneLine(t, ", ", ": "));
    expect(r.conflicts).toHaveLength(1);
    expect(r.text).not.toMatch(/ \n/);
    expect(find(parsePlain(takeSide(r.text, "ours")) as Registry, "acme").plan).toBe("y");
    expect(find(parsePlain(takeSide(r.text, "theirs")) as Registry, "acme").plan).toBe("x");
  });
});
