// One state file of one merge against the driver's structured merge: what passes (the
// driver's own result, a re-rendering, volatile differences, a conflict settled to a side)
// and each kind of wrong merge, named with its place.

import { overlayOf } from "../../src/profiles/overlay";
import { describe, expect, it } from "vitest";
import { mergeTexts } from "../../src/pipeline/mergeTexts";
import { PLAIN_MARKERS } from "../../src/resolve/remerge";
import { verifyFileMerge, type FileVerdict } from "../../src/verify/verifyFile";
import { lineMerge } from "../../src/verify/lineMerge";
import { State } from "../support/fixtures";
import { addDeployment } from "../support/deployments";
import { copy, registry, tenant } from "../support/tenants";
import { secretsIn } from "../support/review";
import type { MergeSettings } from "../../src/pipeline/mergeTexts";

const base = () => State.fixture("ec2-prod-5machines");
const buf = (s: string | State) => Buffer.from(typeof s === "string" ? s : s.text());

function verify(b: State | string, o: State | string, t: State | string, r: State | string | null, settings: Partial<MergeSettings> = {}): FileVerdict {
  return verifyFileMerge({ base: buf(b), ours: buf(o), theirs: buf(t), result: r === null ? null : buf(r) }, settings);
}

function driverText(b: State | string, o: State | string, t: State | string, settle?: "ours" | "theirs" | "base"): string {
  const r = mergeTexts({ base: buf(b), ours: buf(o), theirs: buf(t) }, { markers: PLAIN_MARKERS, settle: settle ? () => settle : undefined });
  if (r.kind !== "merged") throw new Error(r.reason);
  return r.text;
}

function findings(v: FileVerdict): string[] {
  return v.status === "pass" ? [] : v.findings.map((f) => `${f.kind} ${f.message}`);
}

// Alice (ours) changes db1's address; Bob (theirs) stops lb1 and deletes lb2.
const ours = () => base().set("prod", "db1", "publicIpv4", "198.51.100.7");
const theirs = () => base().set("prod", "lb1", "state", "5").remove("prod", "lb2");

describe("verify one file of one merge", () => {
  it("passes the driver's own result, byte for byte or re-rendered in other separators", () => {
    const merged = driverText(base(), ours(), theirs());
    expect(verify(base(), ours(), theirs(), merged)).toEqual({ status: "pass" });
    const expected = ours().set("prod", "lb1", "state", "5").remove("prod", "lb2");
    expect(merged).not.toBe(expected.text("py2"));
    expect(verify(base(), ours(), theirs(), expected.text("py2"))).toEqual({ status: "pass" });
  });

  it("lets volatile values differ (configsPath from the other side)", () => {
    const o = ours().set("prod", null, "configsPath", "/nix/store/aaaa-nixops-machines");
    const t = theirs().set("prod", null, "configsPath", "/nix/store/bbbb-nixops-machines");
    const result = o.clone().set("prod", "lb1", "state", "5").remove("prod", "lb2").set("prod", null, "configsPath", "/nix/store/bbbb-nixops-machines");
    expect(verify(base(), o, t, result)).toEqual({ status: "pass" });
  });

  it("a lost update: a change made on one side only is missing", () => {
    const result = ours().remove("prod", "lb2"); // lb1's stop is gone
    const f = findings(verify(base(), ours(), theirs(), result));
    expect(f).toEqual([expect.stringMatching(/^lost-update deployment prod \(.*\), resource lb1, attribute state: lost update: theirs changed it from "\d+" to "5"; the result has "\d+"$/)]);
  });

  it("a deletion undone is a lost update too", () => {
    const result = ours().set("prod", "lb1", "state", "5"); // lb2 is back
    expect(findings(verify(base(), ours(), theirs(), result))).toEqual([expect.stringMatching(/^lost-update .*resource lb2: lost update: theirs deleted it; the result still has a record of \d+ attributes/)]);
  });

  it("an orphaned resource: a record vanished although neither side deleted it", () => {
    const result = ours().set("prod", "lb1", "state", "5").remove("prod", "lb2").remove("prod", "app1");
    expect(findings(verify(base(), ours(), theirs(), result))).toEqual([
      expect.stringMatching(/^orphaned deployment prod \(.*\), resource app1: orphaned resource: vanished from the result although neither side deleted it$/),
    ]);
  });

  it("a stitched record: the identity of one side, attributes only the other side changed", () => {
    const bob = State.fixture("ec2-prod-after-teammate-deploy"); // re-creates app2
    const alice = base().set("prod", "app2", "ec2.instanceType", "m5.xlarge");
    const line = lineMerge(buf(base()), buf(alice), buf(bob));
    expect(line.conflicts).toBe(0);
    const f = findings(verify(base(), alice, bob, line.text.toString()));
    expect(f).toEqual([expect.stringMatching(/^stitched .*resource app2: stitched: identity \(creationTime, vmId\) from theirs, ec2\.instanceType from ours/)]);
    // Settled to either side, the same conflict passes.
    expect(verify(base(), alice, bob, driverText(base(), alice, bob, "ours")).status).toBe("pass");
    expect(verify(base(), alice, bob, driverText(base(), alice, bob, "theirs")).status).toBe("pass");
    expect(verify(base(), alice, bob, driverText(base(), alice, bob, "base")).status).toBe("pass");
  });

  it("a stitched record from a deletion: the other side's machine without an attribute one side deleted (seed 1027406763 of verify.property)", () => {
    const bob = State.fixture("ec2-prod-after-teammate-deploy"); // re-creates app2
    const alice = base().remove("prod", "app2", "ec2.instanceType");
    const line = lineMerge(buf(base()), buf(alice), buf(bob));
    expect(line.conflicts).toBe(0);
    const f = findings(verify(base(), alice, bob, line.text.toString()));
    expect(f).toEqual([expect.stringMatching(/^stitched .*resource app2: stitched: identity \(creationTime, vmId\) from theirs, ec2\.instanceType from ours/)]);
    expect(verify(base(), alice, bob, driverText(base(), alice, bob, "theirs")).status).toBe("pass");
  });

  it("a re-created deployment against a deploy to the old one, settled either way (seed -712145244 of verify.property)", () => {
    // Ours deletes tenant-acme and creates it again under a new UUID; theirs deploys to the old
    // one. Settled to theirs, the new deployment goes (it clashes by name with the old one, a
    // conflict the driver reports): not a lost update.
    const hetzner = () => State.fixture("hetzner-hcloud-multitenant");
    const old = hetzner().uuid("tenant-acme");
    const recreated = "3f0c9a12-0000-4000-8000-00000000a001";
    const o = addDeployment(hetzner(), recreated, "tenant-acme", "tenant-acme");
    o.doc.delete(old);
    const t = hetzner().set("tenant-acme", null, "description", "Acme (moved to fsn1)");
    for (const side of ["ours", "theirs"] as const) {
      const settled = driverText(hetzner(), o, t, side);
      expect(settled.includes(`"${recreated}"`)).toBe(side === "ours");
      expect(settled.includes(`"${old}"`)).toBe(side === "theirs");
      expect(verify(hetzner(), o, t, settled)).toEqual({ status: "pass" });
    }
    // Theirs' deploy carried over to ours' new deployment: a value neither side had there.
    const stitched = JSON.parse(driverText(hetzner(), o, t, "ours")) as Record<string, Record<string, unknown>>;
    stitched[recreated].description = "Acme (moved to fsn1)";
    expect(findings(verify(hetzner(), o, t, JSON.stringify(stitched, null, 2) + "\n"))).toEqual([expect.stringMatching(/^invented .*tenant-acme \(3f0c9a12-/)]);
  });

  it("a record present twice", () => {
    const merged = driverText(base(), ours(), theirs());
    const start = merged.indexOf('      "app1": {');
    const end = merged.indexOf("\n      },\n", start) + "\n      },\n".length;
    const twice = merged.slice(0, end) + merged.slice(start, end) + merged.slice(end);
    expect(findings(verify(base(), ours(), theirs(), twice))).toEqual([expect.stringMatching(/^duplicate deployment prod \(.*\), resource app1: present twice in the result/)]);
  });

  it("a file that still holds conflict markers, or is not JSON, names the line", () => {
    const o = base().set("prod", "app1", "toplevel", "/nix/store/x-ours");
    const t = base().set("prod", "app1", "toplevel", "/nix/store/x-theirs");
    const line = lineMerge(buf(base()), buf(o), buf(t));
    expect(line.conflicts).toBeGreaterThan(0);
    expect(findings(verify(base(), o, t, line.text.toString()))).toEqual([expect.stringMatching(/^invalid the result still holds conflict markers \(line \d+: "<<<<<<< ours"\)$/)]);
    expect(findings(verify(base(), o, t, "{\n  \"a\": 1,\n}\n"))).toEqual([expect.stringMatching(/^invalid the result is not valid JSON \(line 3, column 1: /)]);
  });

  it("a true conflict settled to a value neither side had", () => {
    const o = base().set("prod", "app1", "toplevel", "/nix/store/x-ours");
    const t = base().set("prod", "app1", "toplevel", "/nix/store/x-theirs");
    expect(verify(base(), o, t, o).status).toBe("pass");
    expect(verify(base(), o, t, base()).status).toBe("pass");
    const f = findings(verify(base(), o, t, base().set("prod", "app1", "toplevel", "/nix/store/x-invented")));
    expect(f).toEqual([expect.stringMatching(/^invented .*resource app1, attribute toplevel: a true conflict settled to a value neither side had: "\/nix\/store\/x-invented"/)]);
  });

  it("a conflicting plain array may be settled to one that keeps both sides' additions", () => {
    const b = JSON.stringify({ hosts: ["a"] });
    const o = JSON.stringify({ hosts: ["a", "b"] });
    const t = JSON.stringify({ hosts: ["a", "c"] });
    expect(verify(b, o, t, JSON.stringify({ hosts: ["a", "c", "b"] })).status).toBe("pass");
    expect(findings(verify(b, o, t, JSON.stringify({ hosts: ["a", "d"] })))).toEqual([expect.stringMatching(/^invented \/hosts: a true conflict settled to a value neither side had/)]);
  });

  it("keyed arrays (a policy's tenants by id): a tenant lost or written twice", () => {
    const settings: MergeSettings = { overlay: overlayOf({ profile: "json", keyedArrays: [{ pattern: ["tenants"], field: "id" }] }) };
    const b = registry("acme", "globex");
    const o = copy(b);
    o.tenants.push(tenant("initech"));
    const t = copy(b);
    t.tenants[1].plan = "gold";
    const text = (x: unknown) => JSON.stringify(x, null, 2) + "\n";
    const right = copy(o);
    right.tenants[1].plan = "gold";
    expect(verify(text(b), text(o), text(t), text(right), settings).status).toBe("pass");
    expect(findings(verify(text(b), text(o), text(t), text(o), settings))).toEqual([expect.stringMatching(/^lost-update \/tenants\/globex\/plan: lost update: theirs changed it from "basic" to "gold"/)]);
    const twice = copy(right);
    twice.tenants.push(tenant("acme"));
    expect(findings(verify(text(b), text(o), text(t), text(twice), settings))).toEqual([expect.stringMatching(/^duplicate \/tenants\/acme: present twice in the result/)]);
  });

  it("whole files: deleted although neither side did, and a one-sided addition", () => {
    expect(findings(verify(base(), ours(), theirs(), null))).toEqual(["lost-update lost update: the result deleted the file although neither side did"]);
    const added = verifyFileMerge({ base: null, ours: buf(ours()), theirs: null, result: buf(ours().text("py2")) }, {});
    expect(added.status).toBe("pass");
    const wrong = verifyFileMerge({ base: null, ours: buf(ours()), theirs: null, result: buf(base()) }, {});
    expect(findings(wrong)).toEqual([expect.stringMatching(/^invented .*resource db1, attribute publicIpv4: the result has "[\d.]+", which neither side has \(expected "198\.51\.100\.7"\)$/)]);
  });

  it("never prints a secret: a lost `keys` change shows hashes", () => {
    const t = base();
    t.setInner("prod", "app1", "keys", ["app-env", "text"], "DATABASE_URL=postgres://app:NEW-hunter3-secret@db1/app\n");
    const f = findings(verify(base(), base(), t, base().set("prod", "app1", "state", "1")));
    expect(f.length).toBeGreaterThan(0);
    expect(f.join("\n")).toMatch(/lost update/);
    expect(f.join("\n")).not.toMatch(/hunter/);
    expect(secretsIn(f.join("\n"))).toEqual([]);
  });
});
