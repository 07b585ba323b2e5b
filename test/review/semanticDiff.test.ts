import { describe, expect, it } from "vitest";
import { diffTexts } from "../../src/review/diffTexts";
import { deploySummary } from "../../src/review/deploySummary";
import { renderDiffText, diffJson } from "../../src/review/renderDiff";
import { FIXTURES, State, fixtureText, pyDumps } from "../support/fixtures";
import { parseJson } from "../../src/formats/parseJson";
import { fixtureSecrets, secretsIn } from "../support/review";

type Raw = Record<string, { name?: string; resources: Record<string, Record<string, string>> }>;
const BEFORE = "ec2-prod-5machines";
const AFTER = "ec2-prod-after-teammate-deploy";

function raw(name: string): Raw {
  return JSON.parse(fixtureText(name)) as Raw;
}

/** Resources present on both sides whose toplevel differs, computed from the plain JSON. */
function toplevelChanged(before: Raw, after: Raw): string[] {
  const out: string[] = [];
  for (const [uuid, d] of Object.entries(after)) {
    for (const [name, r] of Object.entries(d.resources)) {
      const old = before[uuid]?.resources[name];
      if (old && old.toplevel !== r.toplevel) out.push(name);
    }
  }
  return out.sort();
}

describe("the teammate deploy (ec2-prod-5machines -> ec2-prod-after-teammate-deploy)", () => {
  const { diff, profile } = diffTexts(fixtureText(BEFORE), fixtureText(AFTER));
  if (diff.kind !== "nixops") throw new Error("expected a NixOps diff");
  const resources = diff.deployments.flatMap((d) => d.resources);

  it("names exactly app2 re-created and app3 added", () => {
    expect(resources.filter((r) => r.change === "re-created").map((r) => r.name)).toEqual(["app2"]);
    expect(resources.filter((r) => r.change === "added").map((r) => r.name)).toEqual(["app3"]);
    expect(resources.filter((r) => r.change === "removed")).toEqual([]);
    expect(resources.find((r) => r.name === "app2")?.identity).toEqual(expect.arrayContaining(["vmId", "creationTime"]));
  });

  it("names as deployed exactly the machines whose toplevel changed", () => {
    const expected = toplevelChanged(raw(BEFORE), raw(AFTER));
    expect(expected.length).toBeGreaterThan(2);
    expect(resources.filter((r) => r.deployed).map((r) => r.name).sort()).toEqual(expected);
  });

  it("says nothing about the re-ordered keys blobs", () => {
    // The keys texts do differ byte-wise...
    const before = raw(BEFORE);
    const after = raw(AFTER);
    const uuid = Object.keys(before)[0];
    expect(before[uuid].resources.app1.keys).not.toBe(after[uuid].resources.app1.keys);
    // ...but no change under `keys` is reported for a resource that exists on both sides.
    const changed = resources.filter((r) => r.change !== "added").flatMap((r) => r.attributes.map((a) => a.path[0]));
    expect(changed).not.toContain("keys");
    expect(renderDiffText(diff, profile).filter((l) => /^\s+[~+-] keys/.test(l))).toHaveLength(1); // app3's, which is new
  });

  it("lists app1's changed attributes and inner paths, and marks the volatile ones", () => {
    const app1 = resources.find((r) => r.name === "app1")!;
    expect(app1.change).toBe("changed");
    expect(app1.attributes.map((a) => a.path.join("/")).sort()).toEqual(["configsPath", "ec2.tags/CharonStateFile", "toplevel"]);
    expect(app1.attributes.filter((a) => a.volatile).map((a) => a.path[0]).sort()).toEqual(["configsPath", "ec2.tags"]);
  });

  it("summarises as one line", () => {
    const deployed = toplevelChanged(raw(BEFORE), raw(AFTER)).join(", ");
    expect(deploySummary(diff)).toBe(`deployed ${deployed}; re-created app2; added app3`);
  });

  it("hashes the secrets of the added machine", () => {
    expect(fixtureSecrets().length).toBeGreaterThan(5); // the search below has something to find
    const text = renderDiffText(diff, profile).join("\n") + JSON.stringify(diffJson(diff, profile));
    expect(secretsIn(text)).toEqual([]);
    expect(text).toContain("<secret sha256:");
  });
});

describe("smaller changes", () => {
  const base = State.fixture(BEFORE);

  it("a keys blob only re-ordered is no change at all", () => {
    const after = base.clone();
    const keys = parseJson(after.get("prod", "db1", "keys")!).value as Map<string, Map<string, unknown>>;
    const reordered = new Map([...keys].map(([k, v]) => [k, new Map([...v].reverse())]));
    after.set("prod", "db1", "keys", pyDumps(reordered as never));
    expect(after.get("prod", "db1", "keys")).not.toBe(base.get("prod", "db1", "keys"));
    const { diff } = diffTexts(base.text(), after.text());
    expect(diff.kind === "nixops" && diff.deployments).toEqual([]);
    expect(deploySummary(diff)).toBe("no change");
  });

  it("started, stopped, removed and a changed secret", () => {
    const before = base.clone().set("prod", "lb2", "state", "5");
    const after = base.clone().set("prod", "lb1", "state", "5").remove("prod", "db1");
    after.setInner("prod", "app1", "keys", ["app-env", "text"], "NEW-SECRET-VALUE-1234");
    const { diff, profile } = diffTexts(before.text(), after.text());
    const summary = deploySummary(diff);
    expect(summary).toContain("removed db1");
    expect(summary).toContain("started lb2");
    expect(summary).toContain("stopped lb1");
    expect(summary).toContain("changed app1");
    const text = renderDiffText(diff, profile).join("\n");
    expect(text).toContain("keys/app-env/text: \"<secret sha256:");
    expect(text).not.toContain("NEW-SECRET-VALUE-1234");
    expect(renderDiffText(diff, profile, { showSecrets: true }).join("\n")).toContain("NEW-SECRET-VALUE-1234");
  });

  it("a volatile-only change is reported as such", () => {
    const after = base.clone().set("prod", null, "configsPath", "/nix/store/x-nixops-machines");
    expect(deploySummary(diffTexts(base.text(), after.text()).diff)).toMatch(/only values every deploy rewrites/);
  });

  it("an added deployment in a multi-deployment file qualifies resource names", () => {
    const { diff } = diffTexts(fixtureText("vbox-none-2machines"), fixtureText("hetzner-hcloud-multitenant"));
    expect(deploySummary(diff)).toMatch(/^created deployment /);
  });

  it("the diff of any fixture with itself is empty, and colour only when asked", () => {
    for (const name of FIXTURES) {
      const { diff, profile } = diffTexts(fixtureText(name), fixtureText(name));
      expect(diff.kind === "nixops" && diff.deployments).toEqual([]);
      expect(renderDiffText(diff, profile).join("")).not.toContain("\x1b[");
    }
    const { diff, profile } = diffTexts(fixtureText(BEFORE), fixtureText(AFTER));
    expect(renderDiffText(diff, profile, { color: true }).join("")).toContain("\x1b[");
    expect(renderDiffText(diff, profile, { color: false }).join("")).not.toContain("\x1b[");
  });

  it("no fixture secret shows in the diff between any two fixtures", () => {
    for (const a of FIXTURES) {
      for (const b of FIXTURES) {
        const { diff, profile } = diffTexts(fixtureText(a), fixtureText(b));
        const text = renderDiffText(diff, profile).join("\n") + JSON.stringify(diffJson(diff, profile));
        expect(secretsIn(text), `${a} -> ${b}`).toEqual([]);
      }
    }
  });
});
