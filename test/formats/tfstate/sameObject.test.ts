// One real object moved two ways (ours to one address, theirs to another, by `terraform state
// mv` or a `moved` block) is a conflict at each address, never two resources tracking one
// object: taking ours everywhere gives ours' addresses, theirs everywhere theirs'. Moved one way,
// or two different objects added, merges cleanly.

import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { JsonObject } from "../../../src/core/values";
import { parseJson } from "../../../src/formats/parseJson";
import { mergeTexts, type MergeResult } from "../../../src/pipeline/mergeTexts";
import { pickFromMarkers } from "../../support/arbitraries";
import { addressOf, TfState } from "../../support/tfstate";

const markers = { size: 7, ours: "ours", base: "base", theirs: "theirs", style: "diff3" as const };

function merge(base: TfState, ours: TfState, theirs: TfState): Extract<MergeResult, { kind: "merged" }> {
  const r = mergeTexts({ base: base.text(), ours: ours.text(), theirs: theirs.text() }, { markers });
  if (r.kind !== "merged") throw new Error(`fell back: ${r.reason}`);
  return r;
}

/** The state with the resource at `from` moved to `to` (a root-module name, or module.NAME.name). */
function moved(s: TfState, from: string, to: string): TfState {
  const r = s.resource(from);
  const instances = (r.get("instances") as JsonObject[]).map((i) => ({ key: null, attributes: Object.fromEntries(i.get("attributes") as JsonObject) }));
  const parts = to.split(".");
  const [module, name] = parts.length === 3 ? [`module.${parts[1]}`, parts[2]] : [null, to];
  return s.removeResource(from).addResource(module, "managed", String(r.get("type")), name, instances);
}

/** Address by id of every managed object: several addresses for one id are listed. */
function addressesById(text: string): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const r of (parseJson(text).value as JsonObject).get("resources") as JsonObject[]) {
    for (const i of r.get("instances") as JsonObject[]) {
      const id = (i.get("attributes") as JsonObject).get("id") as string;
      out.set(id, [...(out.get(id) ?? []), addressOf(r)]);
    }
  }
  return out;
}

describe("one object moved to two addresses", () => {
  it("ours to a module, theirs to a new name: a conflict at each address; each side taken gives that side's addresses", () => {
    const base = TfState.small();
    const ours = moved(base.clone().applied(), "null_resource.a", "module.web.a");
    const theirs = moved(base.clone().applied(), "null_resource.a", "app");
    const r = merge(base, ours, theirs);
    expect(r.conflicts.map((c) => [r.profile.describePath(c.path, r.documents), c.kind])).toEqual([
      ["resource null_resource.app", "same-object"],
      ["resource module.web.null_resource.a", "same-object"],
    ]);
    expect(addressesById(pickFromMarkers(r.text, "ours")).get("a-1")).toEqual(["module.web.null_resource.a"]);
    expect(addressesById(pickFromMarkers(r.text, "theirs")).get("a-1")).toEqual(["null_resource.app"]);
    expect(addressesById(pickFromMarkers(r.text, "base")).get("a-1")).toBeUndefined();
  });

  it("one instance re-keyed two ways (count to for_each, different keys): a conflict at each new key", () => {
    const base = TfState.small().addInstance("null_resource.a", 0, { id: "a-0", triggers: null }).removeInstance("null_resource.a", null);
    const rekeyed = (key: string) => base.clone().applied().removeInstance("null_resource.a", 0).addInstance("null_resource.a", key, { id: "a-0", triggers: null });
    const r = merge(base, rekeyed("x"), rekeyed("y"));
    expect(r.conflicts.map((c) => [r.profile.describePath(c.path, r.documents), c.kind]).sort()).toEqual([
      ['resource null_resource.a["x"]', "same-object"],
      ['resource null_resource.a["y"]', "same-object"],
    ]);
    for (const pick of ["ours", "theirs"] as const) expect(addressesById(pickFromMarkers(r.text, pick)).get("a-0")).toEqual(["null_resource.a"]);
  });

  it("moved on one side only, or two new objects added, merges cleanly", () => {
    const base = TfState.small();
    const ours = moved(base.clone().applied(), "null_resource.a", "app");
    const theirs = base.clone().applied().setAttribute("null_resource.b", null, "triggers", null).addResource(null, "managed", "null_resource", "d", [{ key: null, attributes: { id: "d-1", triggers: null } }]);
    const r = merge(base, ours, theirs);
    expect(r.conflicts).toEqual([]);
    expect(addressesById(r.text).get("a-1")).toEqual(["null_resource.app"]);
    expect(addressesById(r.text).get("d-1")).toEqual(["null_resource.d"]);
  });

  it("ours moved it, theirs changed it where it was: taking theirs everywhere tracks it only where theirs does", () => {
    const base = TfState.small();
    const ours = moved(base.clone().applied(), "null_resource.a", "app");
    const theirs = base.clone().applied().setAttribute("null_resource.a", null, "triggers", "refreshed");
    const r = merge(base, ours, theirs);
    expect(r.conflicts.map((c) => [r.profile.describePath(c.path, r.documents), c.kind]).sort()).toEqual([
      ["resource null_resource.a", "delete/modify"],
      ["resource null_resource.app", "same-object"],
    ]);
    expect(addressesById(pickFromMarkers(r.text, "theirs")).get("a-1")).toEqual(["null_resource.a"]);
    expect(addressesById(pickFromMarkers(r.text, "ours")).get("a-1")).toEqual(["null_resource.app"]);
  });

  it("objects that only share an id were not moved: new on both sides, beside one base holds, or under another provider", () => {
    const base = TfState.small().addResource(null, "managed", "null_resource", "pw", [{ key: null, attributes: { id: "none", triggers: null } }]);
    const added = (s: TfState, name: string, id: string, provider?: string) => s.addResource(null, "managed", "null_resource", name, [{ key: null, attributes: { id, triggers: null } }], provider);
    // Every random_password has the id "none"; two files with one content share theirs.
    const sharedId = merge(base, added(base.clone().applied(), "pw_ours", "none"), added(base.clone().applied(), "pw_theirs", "none"));
    expect(sharedId.conflicts).toEqual([]);
    expect(addressesById(sharedId.text).get("none")).toEqual(["null_resource.pw", "null_resource.pw_ours", "null_resource.pw_theirs"]);
    const bothNew = merge(base, added(base.clone().applied(), "x", "same"), added(base.clone().applied(), "y", "same"));
    expect(bothNew.conflicts).toEqual([]);
    // Ours moves a; theirs adds a role with a's id in another account (another provider configuration).
    const other = merge(base, moved(base.clone().applied(), "null_resource.a", "app"), added(base.clone().applied(), "stage", "a-1", 'provider["registry.terraform.io/hashicorp/null"].stage'));
    expect(other.conflicts).toEqual([]);
    expect(addressesById(other.text).get("a-1")).toEqual(["null_resource.app", "null_resource.stage"]);
  });

  it("an object a side already tracks at two addresses is that side's own state, not the merge's doing", () => {
    const base = TfState.small();
    const twice = base.clone().applied().addResource(null, "managed", "null_resource", "alias", [{ key: null, attributes: { id: "a-1", triggers: null } }]);
    const r = merge(base, twice, base.clone().applied().setOutput("x", "y"));
    expect(r.conflicts).toEqual([]);
    expect(addressesById(r.text).get("a-1")).toEqual(["null_resource.a", "null_resource.alias"]);
  });

  it("whatever each side moves where, no side taken in every hunk tracks one object at two addresses", () => {
    const names = ["a", "b", "c", "d"];
    const targets = fc.constantFrom("keep", "p", "q", "module.m.a", "module.m.p");
    fc.assert(
      fc.property(fc.array(targets, { minLength: 4, maxLength: 4 }), fc.array(targets, { minLength: 4, maxLength: 4 }), (oursMoves, theirsMoves) => {
        const base = TfState.small(undefined, names);
        const side = (moves: string[]) => {
          let s = base.clone().applied();
          const taken = new Set(names.map((n) => `null_resource.${n}`));
          moves.forEach((to, i) => {
            const address = to.startsWith("module.") ? `${to.split(".").slice(0, 2).join(".")}.null_resource.${to.split(".")[2]}` : `null_resource.${to}`;
            if (to === "keep" || taken.has(address)) return;
            s = moved(s, `null_resource.${names[i]}`, to);
            taken.delete(`null_resource.${names[i]}`);
            taken.add(address);
          });
          return s;
        };
        const r = merge(base, side(oursMoves), side(theirsMoves));
        for (const pick of ["ours", "theirs", "base"] as const) {
          for (const [id, addresses] of addressesById(pickFromMarkers(r.text, pick))) expect(addresses, `${pick}: ${id}`).toHaveLength(1);
        }
      }),
      { numRuns: 200 },
    );
  });
});
