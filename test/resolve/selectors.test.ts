// Selectors as people write them, read through the profile's record levels (NixOps) or keyed
// arrays (a tenant list), against the documents being merged.

import { describe, expect, it } from "vitest";
import { selectorPath, SelectorError } from "../../src/resolve/selectors";
import { profileNamed } from "../../src/profiles/table";
import { overlayOf } from "../../src/profiles/overlay";
import { parseJson } from "../../src/formats/parseJson";
import { State } from "../support/fixtures";
import { registry, tenant } from "../support/tenants";

describe("selectors", () => {
  const prod = State.fixture("ec2-prod-5machines");
  const docs = [parseJson(prod.text()).value];
  const uuid = prod.uuid("prod");
  const nixops = profileNamed("nixops");

  it("name a deployment by name or UUID, a resource with or without `resources`, or an attribute", () => {
    expect(selectorPath("prod", nixops, docs)).toEqual([uuid]);
    expect(selectorPath(uuid, nixops, docs)).toEqual([uuid]);
    expect(selectorPath("prod/app1", nixops, docs)).toEqual([uuid, "resources", "app1"]);
    expect(selectorPath("prod/resources/app1/toplevel", nixops, docs)).toEqual([uuid, "resources", "app1", "toplevel"]);
    expect(selectorPath("prod/configsPath", nixops, docs)).toEqual([uuid, "configsPath"]);
  });

  it("say which deployments there are when none has that name", () => {
    expect(() => selectorPath("staging/app1", nixops, docs)).toThrow(SelectorError);
    // An empty selector (an unset shell variable) names nothing, in every profile.
    for (const blank of ["", " "]) expect(() => selectorPath(blank, nixops, docs)).toThrow(/an empty selector names no conflict/);
    expect(() => selectorPath("staging/app1", nixops, docs)).toThrow(/no deployment "staging".*prod \(/);
  });

  it("name a keyed-array element by its identity, from the root or alone", () => {
    const tenants = profileNamed("json", overlayOf({ keyedArrays: [{ pattern: ["tenants"], field: "id" }] }));
    const r = registry("acme", "globex");
    r.tenants.push(tenant("umbrella"));
    const doc = [parseJson(JSON.stringify(r)).value];
    expect(selectorPath("globex", tenants, doc)).toEqual(["tenants", '[id="globex"]']);
    expect(selectorPath("tenants/umbrella/plan", tenants, doc)).toEqual(["tenants", '[id="umbrella"]', "plan"]);
    expect(selectorPath("/generatedBy", tenants, doc)).toEqual(["generatedBy"]);
    expect(selectorPath("nobody", tenants, doc)).toEqual(["nobody"]);
  });

  it("tell the string \"1\" from the number 1: named as written, and shown with quotes where they would read alike", () => {
    const tenants = profileNamed("json", overlayOf({ keyedArrays: [{ pattern: ["tenants"], field: "id" }] }));
    // The string first, so that a selector that took the first match of either would pick it.
    const doc = [parseJson('{"tenants": [{"id": "1", "plan": "a"}, {"id": 1, "plan": "b"}, {"id": "globex"}]}').value];
    expect(selectorPath("tenants/1", tenants, doc)).toEqual(["tenants", "[id=1]"]);
    expect(selectorPath('tenants/"1"', tenants, doc)).toEqual(["tenants", '[id="1"]']);
    expect(selectorPath("globex", tenants, doc)).toEqual(["tenants", '[id="globex"]']);
    const shown = (path: string[]) => tenants.describePath(path, doc);
    expect([shown(["tenants", "[id=1]", "plan"]), shown(["tenants", '[id="1"]', "plan"]), shown(["tenants", '[id="globex"]'])]).toEqual(["/tenants/1/plan", '/tenants/"1"/plan', "/tenants/globex"]);
  });
});
