// The whole pipeline on the real fixture bytes: guards, parse, profile, merge, render.

import { describe, expect, it } from "vitest";
import { mergeTexts, type MergeResult } from "../../src/pipeline/mergeTexts";
import { FIXTURES, State, fixtureText } from "../support/fixtures";

const markers = { size: 7, ours: "HEAD", base: "base", theirs: "feature", style: "merge" as const };

function merged(base: string, ours: string, theirs: string): Extract<MergeResult, { kind: "merged" }> {
  const r = mergeTexts({ base, ours, theirs }, { markers });
  if (r.kind !== "merged") throw new Error(`fell back: ${r.reason}`);
  return r;
}

/** Edits on raw fixture bytes, so that expected results do not come from our own renderer. */
function resourceLines(text: string, resource: string): [number, number] {
  const lines = text.split("\n");
  const start = lines.indexOf(`      ${JSON.stringify(resource)}: {`);
  if (start < 0) throw new Error(`no resource ${resource}`);
  const end = lines.findIndex((l, i) => i > start && /^ {6}}/.test(l));
  return [start, end];
}

function attrLine(text: string, resource: string, attr: string): string {
  const [start, end] = resourceLines(text, resource);
  const line = text.split("\n").slice(start, end).find((l) => l.startsWith(`        ${JSON.stringify(attr)}: `));
  if (line === undefined) throw new Error(`no ${attr} in ${resource}`);
  return line;
}

function replaceAttrLine(text: string, resource: string, attr: string, line: string): string {
  const old = attrLine(text, resource, attr);
  const lines = text.split("\n");
  const [start] = resourceLines(text, resource);
  lines[lines.indexOf(old, start)] = line;
  return lines.join("\n");
}

function removeResource(text: string, resource: string): string {
  const lines = text.split("\n");
  const [start, end] = resourceLines(text, resource);
  lines.splice(start, end - start + 1);
  return lines.join("\n");
}

describe("every fixture merged with itself", () => {
  for (const name of FIXTURES) {
    it(`${name} comes back byte for byte, with no conflict and nothing auto-resolved`, () => {
      const text = fixtureText(name);
      const r = merged(text, text, text);
      expect(r.text).toBe(text);
      expect(r.conflicts).toEqual([]);
      expect(r.autoResolved).toEqual([]);
      expect(r.profile.name).toBe("nixops");
    });
  }
});

describe("the teammate pair (a real second user's deploy)", () => {
  const base = fixtureText("ec2-prod-5machines");
  const mate = fixtureText("ec2-prod-after-teammate-deploy");

  it("taken on its own (ours unchanged) gives the teammate's state, with ours' text for keys blobs it only re-ordered", () => {
    const r = merged(base, base, mate);
    expect(r.conflicts).toEqual([]);
    let expected = mate;
    for (const m of ["app1", "app2", "db1"]) expected = replaceAttrLine(expected, m, "keys", attrLine(base, m, "keys"));
    expect(r.text).toBe(expected);
  });

  it("merged with our own deploy: both sides' changes land, byte for byte in NixOps' layout", () => {
    // Ours: destroyed the spare elastic IP, stopped db1, re-described the deployment.
    const oursText = removeResource(
      replaceAttrLine(base, "db1", "state", '        "state": "5",').replace('"description": "Production (eu-west-1)"', '"description": "Production (eu-west-1), caf\\u00e9 team"'),
      "lb-eip-2",
    );
    const r = merged(base, oursText, mate);
    expect(r.conflicts).toEqual([]);
    expect(r.autoResolved).toEqual([]);
    let expected = removeResource(replaceAttrLine(mate, "db1", "state", '        "state": "5",'), "lb-eip-2").replace('"description": "Production (eu-west-1)"', '"description": "Production (eu-west-1), caf\\u00e9 team"');
    for (const m of ["app1", "app2", "db1"]) expected = replaceAttrLine(expected, m, "keys", attrLine(base, m, "keys"));
    expect(r.text).toBe(expected);
  });

  it("against our own deploy of the same machines: toplevel conflicts, configsPath and CharonStateFile are auto-resolved to ours", () => {
    const ours = State.fixture("ec2-prod-5machines");
    ours.set("prod", null, "configsPath", "/nix/store/0000000000000000000000000000ours-nixops-machines");
    ours.set("prod", "lb1", "configsPath", "/nix/store/0000000000000000000000000000ours-nixops-machines");
    ours.set("prod", "lb1", "toplevel", "/nix/store/0000000000000000000000000000ours-nixos-system-lb1");
    ours.setInner("prod", "lb1", "ec2.tags", ["CharonStateFile"], "bob@bob-pc:/tmp/tmpbob/state.nixops");
    const r = merged(base, ours.text(), mate);
    const uuid = ours.uuid("prod");
    expect(r.conflicts.map((c) => [c.path, c.kind])).toEqual([[[uuid, "resources", "lb1", "toplevel"], "modify/modify"]]);
    expect(r.autoResolved.map((a) => a.path)).toEqual([
      [uuid, "configsPath"],
      [uuid, "resources", "lb1", "configsPath"],
      [uuid, "resources", "lb1", "ec2.tags", "CharonStateFile"],
    ]);
    expect(r.text).toContain('"configsPath": "/nix/store/0000000000000000000000000000ours-nixops-machines"');
  });
});

describe("empty base (add/add, unrelated histories)", () => {
  it("is no base: two states merge structurally, conflicts only where they differ", () => {
    const ours = State.fixture("vbox-none-2machines").set("dev", "db", "state", "5");
    const theirs = State.fixture("vbox-none-2machines").set("dev", "web", "publicIpv4", "203.0.113.21");
    const r = merged("", ours.text(), theirs.text());
    const uuid = ours.uuid("dev");
    expect(r.conflicts.map((c) => [c.path, c.kind])).toEqual([
      [[uuid, "resources", "db", "state"], "add/add"],
      [[uuid, "resources", "web", "publicIpv4"], "add/add"],
    ]);
  });

  it("identical states with an empty base merge cleanly to the same bytes", () => {
    const text = fixtureText("hetzner-hcloud-multitenant");
    expect(merged("", text, text).text).toBe(text);
  });

  it("works for generic JSON too", () => {
    const r = merged("", '{"a": 1, "b": 2}\n', '{"a": 1, "c": 3}\n');
    expect(r.conflicts).toEqual([]);
    expect(JSON.parse(r.text)).toEqual({ a: 1, b: 2, c: 3 });
  });
});

describe("duplicate keys are never resolved silently", () => {
  const base = fixtureText("vbox-none-2machines");
  const dupResource = (text: string) => {
    // A second "web" record right after the first (a bad hand merge).
    const [start, end] = resourceLines(text, "web");
    const lines = text.split("\n");
    const copy = lines.slice(start, end + 1).map((l) => l.replace('"state": "3"', '"state": "5"'));
    copy[copy.length - 1] = "      },";
    lines.splice(start, 0, ...copy);
    return lines.join("\n");
  };

  it("a duplicated resource is a conflict at that resource", () => {
    const ours = dupResource(base);
    const r = merged(base, ours, base);
    const uuid = State.fixture("vbox-none-2machines").uuid("dev");
    expect(r.conflicts.map((c) => [c.path, c.kind])).toEqual([[[uuid, "resources", "web"], "duplicate"]]);
  });

  it("a duplicated deployment is a conflict at that deployment", () => {
    const hz = fixtureText("hetzner-hcloud-multitenant");
    const s = State.fixture("hetzner-hcloud-multitenant");
    const globex = s.uuid("tenant-globex");
    const shared = s.uuid("shared-db");
    const ours = hz.replace(`  "${shared}": {`, `  "${globex}": {\n    "name": "tenant-globex",\n    "resources": {}\n  },\n  "${shared}": {`);
    const r = merged(hz, ours, hz);
    expect(r.conflicts.map((c) => [c.path, c.kind])).toEqual([[[globex], "duplicate"]]);
  });

  it("a duplicated attribute falls back, naming the key", () => {
    const ours = base.replace('"index": "0",', '"index": "0",\n        "index": "7",');
    const r = mergeTexts({ base, ours, theirs: base }, { markers });
    expect(r.kind).toBe("fallback");
    if (r.kind === "fallback") expect(r.reason).toContain('"index"');
  });
});

describe("fallbacks (docs/merge-rules.md, Fallback to git merge-file)", () => {
  const text = fixtureText("vbox-none-2machines");
  const fallback = (inputs: { base: string | Uint8Array; ours: string | Uint8Array; theirs: string | Uint8Array }, maxBytes?: number) => {
    const r = mergeTexts(inputs, { markers, maxBytes });
    expect(r.kind).toBe("fallback");
    return r.kind === "fallback" ? r.reason : "";
  };

  it("unparsable input: the reason names the input, line and column", () => {
    const reason = fallback({ base: text, ours: text.replace('"index": "0",', '"index": "0"'), theirs: text });
    expect(reason).toMatch(/^ours is not valid JSON: line \d+, column \d+/);
  });

  it("conflict markers in an input (a criss-cross virtual base or rerere)", () => {
    const marked = text.replace('        "index": "0",\n', '<<<<<<< Temporary merge branch 1\n        "index": "0",\n=======\n        "index": "1",\n>>>>>>> Temporary merge branch 2\n');
    expect(fallback({ base: marked, ours: text, theirs: text })).toMatch(/^base already holds conflict markers/);
  });

  it("NUL bytes", () => {
    const bytes = Buffer.from(text.replace('"0"', '"\u0000"'));
    expect(fallback({ base: text, ours: text, theirs: bytes })).toMatch(/^theirs holds NUL bytes/);
  });

  it("an input over the size limit", () => {
    expect(fallback({ base: Buffer.from(text), ours: Buffer.from(text), theirs: Buffer.from(text) }, 100)).toMatch(/^base is \d+ bytes, over the 100-byte limit/);
  });
});
