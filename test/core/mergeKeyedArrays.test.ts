import { describe, expect, it } from "vitest";
import { mergeDocuments } from "../../src/core/mergeValues";
import { childAt, elementSegment, identityOf, keyedOrder, parseElementSegment } from "../../src/core/mergeKeyedArrays";
import { PLAIN_POLICY, type MergePolicy } from "../../src/core/policy";
import { ABSENT, type JsonValue, type Slot } from "../../src/core/values";
import { containsHunk, pickSide, type MergeOutcome } from "../../src/core/merged";
import { parseJson } from "../../src/formats/parseJson";
import { matchesPattern } from "../../src/profiles/pathPattern";
import { copy, find, plain, registry, tenant, type Registry } from "../support/tenants";

const KEYED: Array<[string[], string]> = [
  [["tenants"], "id"],
  [["tenants", "*", "domains"], "name"],
];
const policy: MergePolicy = {
  ...PLAIN_POLICY,
  arrayKey: (path) => KEYED.find(([p]) => matchesPattern(path, p))?.[1] ?? null,
};

const value = (v: unknown): JsonValue => parseJson(JSON.stringify(v)).value;

function merge(base: unknown, ours: unknown, theirs: unknown, options = {}): MergeOutcome {
  const slot = (v: unknown): Slot => (v === undefined ? ABSENT : value(v));
  return mergeDocuments(slot(base), slot(ours), slot(theirs), policy, options);
}

function side(outcome: MergeOutcome, s: "ours" | "theirs" | "base"): Registry {
  return plain(pickSide(outcome.merged, s) as JsonValue) as Registry;
}
const ids = (r: Registry) => r.tenants.map((t) => t.id);
const tenantPath = (id: string) => ["tenants", `[id=${JSON.stringify(id)}]`];

describe("keyed arrays: elements matched by their identity field", () => {
  it("keeps adds from both sides: ours' order, theirs' adds after the element they follow in theirs", () => {
    const base = registry("acme", "globex", "initech");
    const ours = copy(base);
    ours.tenants.push(tenant("umbrella"));
    const theirs = copy(base);
    theirs.tenants.splice(1, 0, tenant("hooli"));
    const r = merge(base, ours, theirs);
    expect(r.conflicts).toEqual([]);
    expect(ids(side(r, "ours"))).toEqual(["acme", "hooli", "globex", "initech", "umbrella"]);
    expect(find(side(r, "ours"), "hooli")).toEqual(tenant("hooli"));
  });

  it("puts theirs' add at the front when it comes before every shared element", () => {
    expect(keyedOrder(["b", "c"], ["a", "b", "c"])).toEqual(["a", "b", "c"]);
    expect(keyedOrder(["c", "b"], ["b", "x", "c", "y"])).toEqual(["c", "y", "b", "x"]);
  });

  it("merges a change of one field on each side into one element", () => {
    const base = registry("acme", "globex");
    const ours = copy(base);
    find(ours, "acme").plan = "enterprise";
    const theirs = copy(base);
    find(theirs, "acme").name = "ACME Corporation";
    const r = merge(base, ours, theirs);
    expect(r.conflicts).toEqual([]);
    expect(find(side(r, "ours"), "acme")).toEqual({ ...tenant("acme"), plan: "enterprise", name: "ACME Corporation" });
  });

  it("stops at the field both sides changed differently, and merges the rest", () => {
    const base = registry("acme", "globex");
    const ours = copy(base);
    find(ours, "acme").plan = "enterprise";
    ours.tenants.push(tenant("hooli"));
    const theirs = copy(base);
    find(theirs, "acme").plan = "free";
    find(theirs, "globex").plan = "pro";
    const r = merge(base, ours, theirs);
    expect(r.conflicts.map((c) => [c.path, c.kind])).toEqual([[[...tenantPath("acme"), "plan"], "modify/modify"]]);
    const o = side(r, "ours");
    const t = side(r, "theirs");
    expect([find(o, "acme").plan, find(t, "acme").plan]).toEqual(["enterprise", "free"]);
    // The clean changes are in both sides of the result.
    for (const s of [o, t]) {
      expect(find(s, "globex").plan).toBe("pro");
      expect(ids(s)).toEqual(["acme", "globex", "hooli"]);
    }
  });

  it("makes delete/modify a conflict at the element", () => {
    const base = registry("acme", "globex", "initech");
    const ours = copy(base);
    ours.tenants = ours.tenants.filter((t) => t.id !== "globex");
    const theirs = copy(base);
    find(theirs, "globex").plan = "pro";
    find(theirs, "initech").plan = "pro";
    const r = merge(base, ours, theirs);
    expect(r.conflicts.map((c) => [c.path, c.kind])).toEqual([[tenantPath("globex"), "delete/modify"]]);
    expect(ids(side(r, "ours"))).toEqual(["acme", "initech"]);
    expect(ids(side(r, "theirs"))).toEqual(["acme", "globex", "initech"]);
    expect(find(side(r, "ours"), "initech").plan).toBe("pro");
  });

  it("deletes an element one side deleted and the other left alone", () => {
    const base = registry("acme", "globex");
    const ours = copy(base);
    ours.tenants.pop();
    const theirs = copy(base);
    find(theirs, "acme").plan = "pro";
    const r = merge(base, ours, theirs);
    expect(r.conflicts).toEqual([]);
    expect(side(r, "ours").tenants).toEqual([{ ...tenant("acme"), plan: "pro" }]);
  });

  it("makes add/add with different content a conflict at the element, and keeps equal adds once", () => {
    const base = registry("acme");
    const ours = copy(base);
    ours.tenants.push(tenant("hooli", { plan: "pro" }), tenant("pied"));
    const theirs = copy(base);
    theirs.tenants.push(tenant("hooli", { plan: "free" }), tenant("pied"));
    const r = merge(base, ours, theirs);
    expect(r.conflicts.map((c) => [c.path, c.kind])).toEqual([[tenantPath("hooli"), "add/add"]]);
    expect(ids(side(r, "theirs"))).toEqual(["acme", "hooli", "pied"]);
    expect(find(side(r, "theirs"), "hooli").plan).toBe("free");
  });

  it("merges a nested keyed array (a tenant's domains by name)", () => {
    const base = registry("acme");
    find(base, "acme").domains.push({ name: "shop.acme.test", tls: false });
    const ours = copy(base);
    find(ours, "acme").domains.push({ name: "api.acme.test", tls: true });
    const theirs = copy(base);
    find(theirs, "acme").domains[1].tls = true;
    find(theirs, "acme").domains.unshift({ name: "www.acme.test", tls: true });
    const r = merge(base, ours, theirs);
    expect(r.conflicts).toEqual([]);
    expect(find(side(r, "ours"), "acme").domains).toEqual([
      { name: "www.acme.test", tls: true },
      { name: "acme.example.org", tls: true },
      { name: "shop.acme.test", tls: true },
      { name: "api.acme.test", tls: true },
    ]);
  });

  it("puts a nested conflict at the domain's field", () => {
    const base = registry("acme");
    const ours = copy(base);
    find(ours, "acme").domains[0].tls = false;
    const theirs = copy(base);
    find(theirs, "acme").domains[0].tls = "letsencrypt" as unknown as boolean;
    const r = merge(base, ours, theirs);
    expect(r.conflicts.map((c) => c.path)).toEqual([[...tenantPath("acme"), "domains", '[name="acme.example.org"]', "tls"]]);
  });

  it("reports a duplicate identity inside one side as a conflict at the array, with a warning", () => {
    const base = registry("acme", "globex");
    const ours = copy(base);
    find(ours, "acme").plan = "pro";
    const theirs = copy(base);
    theirs.tenants.push(tenant("acme", { plan: "free" }));
    const r = merge(base, ours, theirs);
    expect(r.conflicts.map((c) => [c.path, c.kind])).toEqual([[["tenants"], "duplicate"]]);
    expect(r.warnings).toHaveLength(1);
    expect(r.warnings[0].message).toContain('theirs has two elements with "id" "acme"');
    // Nothing merged into either side: each is that side's own array.
    expect(side(r, "ours").tenants).toEqual(ours.tenants);
    expect(side(r, "theirs").tenants).toEqual(theirs.tenants);
  });

  it("merges the array as one value, with a warning, when an element has no identity field", () => {
    const base = registry("acme");
    const ours = copy(base);
    ours.tenants.push(tenant("hooli"));
    const theirs = copy(base) as unknown as { tenants: unknown[] };
    theirs.tenants.push({ name: "no id here" });
    const r = merge(base, ours, theirs);
    expect(r.conflicts.map((c) => [c.path, c.kind])).toEqual([[["tenants"], "modify/modify"]]);
    expect(r.warnings.map((w) => [w.path, w.message])).toEqual([[["tenants"], 'element 2 of theirs has no string or number "id"; the array is merged as one value']]);
  });

  it("does not warn when only one side changed the array (nothing to merge)", () => {
    const base = registry("acme");
    const theirs = copy(base) as unknown as { tenants: unknown[] };
    theirs.tenants.push({ name: "no id here" });
    const r = merge(base, base, theirs);
    expect(r.conflicts).toEqual([]);
    expect(r.warnings).toEqual([]);
    expect(plain(pickSide(r.merged, "ours") as JsonValue)).toEqual(theirs);
  });

  it("keeps ours' order when ours re-ordered and theirs changed an element", () => {
    const base = registry("acme", "globex", "initech");
    const ours = copy(base);
    ours.tenants.reverse();
    const theirs = copy(base);
    find(theirs, "globex").plan = "pro";
    const r = merge(base, ours, theirs);
    expect(r.conflicts).toEqual([]);
    expect(ids(side(r, "ours"))).toEqual(["initech", "globex", "acme"]);
    expect(find(side(r, "ours"), "globex").plan).toBe("pro");
  });

  it("tells a number identity from a string one", () => {
    const base = { tenants: [{ id: 1, plan: "a" }] };
    const ours = { tenants: [{ id: 1, plan: "a" }, { id: "1", plan: "string" }] };
    const theirs = { tenants: [{ id: 1, plan: "b" }] };
    const r = merge(base, ours, theirs);
    expect(r.conflicts).toEqual([]);
    expect(plain(pickSide(r.merged, "ours") as JsonValue)).toEqual({ tenants: [{ id: 1, plan: "b" }, { id: "1", plan: "string" }] });
  });

  it("merges add/add of whole arrays (no base) by identity", () => {
    const r = merge(undefined, registry("acme", "globex"), registry("acme", "hooli"));
    expect(r.conflicts).toEqual([]);
    // hooli follows acme in theirs, so it goes right after acme.
    expect(ids(side(r, "ours"))).toEqual(["acme", "hooli", "globex"]);
  });

  it("settles element conflicts to the base in virtual-base mode", () => {
    const base = registry("acme", "globex");
    const ours = copy(base);
    ours.tenants.pop();
    ours.tenants.push(tenant("x", { plan: "1" }));
    const theirs = copy(base);
    find(theirs, "globex").plan = "pro";
    theirs.tenants.push(tenant("x", { plan: "2" }));
    const r = merge(base, ours, theirs, { settle: () => "base" as const });
    expect(r.conflicts).toEqual([]);
    expect(containsHunk(r.merged)).toBe(false);
    expect(side(r, "ours").tenants).toEqual(base.tenants);
  });

  it("leaves arrays without a keyed rule atomic", () => {
    const r = mergeDocuments(value({ list: [1] }), value({ list: [1, 2] }), value({ list: [1, 3] }), PLAIN_POLICY);
    expect(r.conflicts.map((c) => [c.path, c.kind])).toEqual([[["list"], "modify/modify"]]);
  });
});

describe("keyed arrays with a composite identity (several fields)", () => {
  const composite: MergePolicy = { ...PLAIN_POLICY, arrayKey: (path) => (path.length === 0 ? ["zone", "name"] : null) };
  const mergeComposite = (base: unknown, ours: unknown, theirs: unknown) => mergeDocuments(value(base), value(ours), value(theirs), composite);

  it("matches elements by all the fields together; an absent field is part of the identity", () => {
    const base = [{ name: "web", v: 1 }, { zone: "eu", name: "web", v: 1 }];
    const ours = [{ name: "web", v: 2 }, { zone: "eu", name: "web", v: 1 }];
    const theirs = [{ name: "web", v: 1 }, { zone: "eu", name: "web", v: 3 }, { zone: "us", name: "web", v: 1 }];
    const r = mergeComposite(base, ours, theirs);
    expect(r.conflicts).toEqual([]);
    expect(plain(pickSide(r.merged, "ours") as JsonValue)).toEqual([{ name: "web", v: 2 }, { zone: "eu", name: "web", v: 3 }, { zone: "us", name: "web", v: 1 }]);
  });

  it("names a conflicting element by every field, absent ones as null", () => {
    const r = mergeComposite([{ name: "web", v: 1 }], [{ name: "web", v: 2 }], [{ name: "web", v: 3 }]);
    expect(r.conflicts.map((c) => c.path)).toEqual([["[zone,name=null,\"web\"]", "v"]]);
  });

  it("an element whose field is neither string nor number makes the array one value, with a warning", () => {
    const r = mergeComposite([{ name: "a" }], [{ name: "a" }, { zone: true, name: "b" }], [{ name: "a" }, { name: "c" }]);
    expect(r.warnings.map((w) => w.message)).toEqual(['element 2 of ours has no string or number "zone", "name"; the array is merged as one value']);
    expect(containsHunk(r.merged)).toBe(true);
  });
});

describe("element segments, read back", () => {
  it("step into an element by its identity, also one of several fields whose first is a string (a Terraform resource in a module)", () => {
    const resources = value([
      { module: "module.a", mode: "managed", type: "aws_instance", name: "web", v: 1 },
      { mode: "managed", type: "aws_instance", name: "web", v: 2 },
    ]);
    const field = ["module", "mode", "type", "name"];
    for (const element of resources as JsonValue[]) {
      const segment = elementSegment(field, identityOf(element, field) as string);
      expect(childAt(resources, segment)).toBe(element);
      expect(parseElementSegment(segment)?.field).toEqual(field);
    }
  });

  it('name the string "1" with its quotes beside the number 1, and a string holding quotes by its JSON', () => {
    const names = ['"1"', "1", '"true"', '"globex"', '"\\"x\\""'].map((id) => parseElementSegment(`[id=${id}]`)?.name);
    expect(names).toEqual(['"1"', "1", '"true"', "globex", '"\\"x\\""']);
  });
});
