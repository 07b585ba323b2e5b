// docs/merge-rules.md rule by rule, on states derived from the real fixtures, through the pure
// engine.

import { describe, expect, it } from "vitest";
import { ABSENT } from "../../src/core/values";
import { overlayOf } from "../../src/profiles/overlay";
import { State } from "../support/fixtures";
import { parseJson } from "../../src/formats/parseJson";
import { at, autoResolvedPaths, conflictSummary, isHunk, mergeStates, resourcePath, settled, textAt } from "../support/nixopsRecords";

const prod = () => State.fixture("ec2-prod-5machines");
const teammate = () => State.fixture("ec2-prod-after-teammate-deploy");
const hetzner = () => State.fixture("hetzner-hcloud-multitenant");

describe("records are matched by key at all four levels", () => {
  it("deployments: each side adds a different deployment, both are kept", () => {
    const all = hetzner();
    const [acme, globex, shared] = ["tenant-acme", "tenant-globex", "shared-db"].map((n) => all.uuid(n));
    const base = all.clone();
    base.doc.delete(globex);
    base.doc.delete(shared);
    const ours = all.clone();
    ours.doc.delete(shared);
    const theirs = all.clone();
    theirs.doc.delete(globex);
    const out = mergeStates(base, ours, theirs);
    expect(out.conflicts).toEqual([]);
    expect([...settled(out, "ours").keys()].sort()).toEqual([acme, globex, shared].sort());
    expect(textAt(out.merged, [globex, "name"])).toBe("tenant-globex");
    expect(textAt(out.merged, [shared, "name"])).toBe("shared-db");
  });

  it("deployment attributes: different attributes changed on each side both land", () => {
    const base = prod();
    const ours = base.clone().set("prod", null, "description", "Production (eu-west-1), owned by ops");
    const theirs = base.clone().set("prod", null, "rollbackEnabled", "0");
    const out = mergeStates(base, ours, theirs);
    expect(out.conflicts).toEqual([]);
    const uuid = base.uuid("prod");
    expect(textAt(out.merged, [uuid, "description"])).toBe("Production (eu-west-1), owned by ops");
    expect(textAt(out.merged, [uuid, "rollbackEnabled"])).toBe("0");
  });

  it("resources: ours adds one while theirs deletes another", () => {
    const base = prod();
    const app3 = teammate().resource("prod", "app3");
    const ours = base.clone().addResource("prod", "app3", Object.fromEntries([...app3].map(([k, v]) => [k, v as string])));
    const theirs = base.clone().remove("prod", "lb2");
    const out = mergeStates(base, ours, theirs);
    expect(out.conflicts).toEqual([]);
    const names = [...(at(settled(out, "ours"), [base.uuid("prod"), "resources"]) as Map<string, unknown>).keys()];
    expect(names).toContain("app3");
    expect(names).not.toContain("lb2");
    expect(names).toContain("lb1");
  });

  it("resource attributes: the same machine changed in different attributes merges cleanly", () => {
    const base = prod();
    const ours = base.clone().set("prod", "app1", "state", "5");
    const theirs = base.clone().set("prod", "app1", "publicIpv4", "54.186.164.200");
    const out = mergeStates(base, ours, theirs);
    expect(out.conflicts).toEqual([]);
    const app1 = resourcePath(base, "prod", "app1");
    expect(textAt(out.merged, [...app1, "state"])).toBe("5");
    expect(textAt(out.merged, [...app1, "publicIpv4"])).toBe("54.186.164.200");
  });
});

describe("one-sided and identical changes", () => {
  it("a change on one side only is taken, deletes included", () => {
    const base = prod();
    const ours = base.clone().remove("prod", "app1", "ec2.instanceProfile");
    const out = mergeStates(base, ours, base.clone());
    expect(out.conflicts).toEqual([]);
    expect(at(out.merged, [...resourcePath(base, "prod", "app1"), "ec2.instanceProfile"])).toBe(ABSENT);
  });

  it("the same change on both sides is taken once, without a conflict", () => {
    const base = prod();
    const ours = base.clone().set("prod", "db1", "state", "5");
    const theirs = base.clone().set("prod", "db1", "state", "5");
    const out = mergeStates(base, ours, theirs);
    expect(out.conflicts).toEqual([]);
    expect(textAt(out.merged, [...resourcePath(base, "prod", "db1"), "state"])).toBe("5");
  });

  it("the same resource added on both sides is one resource, no conflict", () => {
    const base = prod();
    const ours = teammate();
    ours.remove("prod", "app2"); // keep only the identical app3 addition in play
    ours.resources("prod").set("app2", base.resource("prod", "app2"));
    const theirs = ours.clone();
    const out = mergeStates(base, ours, theirs);
    expect(out.conflicts).toEqual([]);
    expect(textAt(out.merged, [...resourcePath(base, "prod", "app3"), "vmId"])).toBe(teammate().get("prod", "app3", "vmId"));
  });

  it("a null inside embedded JSON is a value, not an absence (keyCommand: null survives an add/add merge)", () => {
    const base = State.fixture("vbox-none-2machines");
    const ours = base.clone();
    const theirs = base.clone();
    base.remove("dev", "web");
    ours.set("dev", "web", "keys", ours.get("dev", "web", "keys")!.replace('"path": "/run/keys/grafana-admin-password", ', ""));
    const out = mergeStates(base, ours, theirs);
    expect(out.conflicts).toEqual([]);
    const keys = [...resourcePath(ours, "dev", "web"), "keys", "grafana-admin-password"];
    expect(at(out.merged, [...keys, "keyCommand"])).toBeNull();
    expect(at(out.merged, [...keys, "keyFile"])).toBeNull();
    expect(at(out.merged, [...keys, "path"])).toBe("/run/keys/grafana-admin-password");
  });
});

describe("delete/modify", () => {
  it("a resource deleted on one side and changed on the other is one conflict at the resource", () => {
    const base = prod();
    const ours = base.clone().remove("prod", "app1");
    const theirs = base.clone().set("prod", "app1", "toplevel", teammate().get("prod", "app1", "toplevel")!);
    const app1 = resourcePath(base, "prod", "app1");
    expect(conflictSummary(mergeStates(base, ours, theirs))).toEqual([{ path: app1, kind: "delete/modify" }]);
    expect(conflictSummary(mergeStates(base, theirs, ours))).toEqual([{ path: app1, kind: "modify/delete" }]);
  });

  it("an attribute deleted on one side and changed on the other conflicts at the attribute", () => {
    const base = prod();
    const ours = base.clone().remove("prod", "lb1", "publicDnsName");
    const theirs = base.clone().set("prod", "lb1", "publicDnsName", "lb1.example.org");
    const out = mergeStates(base, ours, theirs);
    expect(conflictSummary(out)).toEqual([{ path: [...resourcePath(base, "prod", "lb1"), "publicDnsName"], kind: "delete/modify" }]);
  });

  it("a deployment deleted on one side and changed on the other is one conflict at the deployment", () => {
    const all = hetzner();
    const ours = all.clone();
    ours.doc.delete(all.uuid("tenant-globex"));
    const theirs = all.clone().set("tenant-globex", "globex-web", "state", "5");
    expect(conflictSummary(mergeStates(all, ours, theirs))).toEqual([{ path: [all.uuid("tenant-globex")], kind: "delete/modify" }]);
  });

  it("destroyed on one branch while the teammate's deploy only rewrote configsPath: merges cleanly, the machine stays destroyed", () => {
    const base = prod();
    const mate = teammate();
    const ours = base.clone().remove("prod", "app1");
    // The teammate's deploy: new configsPath everywhere, re-ordered keys blob, new CharonStateFile tag.
    const theirs = base.clone();
    theirs.set("prod", null, "configsPath", mate.get("prod", null, "configsPath")!);
    for (const attr of ["configsPath", "keys", "ec2.tags"]) theirs.set("prod", "app1", attr, mate.get("prod", "app1", attr)!);
    const out = mergeStates(base, ours, theirs);
    expect(out.conflicts).toEqual([]);
    const app1 = resourcePath(base, "prod", "app1");
    expect(at(out.merged, app1)).toBe(ABSENT);
    expect(textAt(out.merged, [base.uuid("prod"), "configsPath"])).toBe(mate.get("prod", null, "configsPath"));
    // Never silently: what the deletion overrode is reported.
    expect(autoResolvedPaths(out)).toEqual(expect.arrayContaining([[...app1, "configsPath"], [...app1, "ec2.tags", "CharonStateFile"]]));
  });

  it("the same deletion against a real change (toplevel) is still a conflict", () => {
    const base = prod();
    const ours = base.clone().remove("prod", "app1");
    const theirs = base.clone().set("prod", "app1", "configsPath", "/nix/store/x-nixops-machines").set("prod", "app1", "toplevel", "/nix/store/y-nixos-system");
    expect(conflictSummary(mergeStates(base, ours, theirs))).toEqual([{ path: resourcePath(base, "prod", "app1"), kind: "delete/modify" }]);
  });
});

describe("add/add merges with an empty base", () => {
  const app3 = () => teammate().resource("prod", "app3");
  const withApp3 = (edit: (s: State) => void) => {
    const s = prod();
    s.resources("prod").set("app3", new Map(app3()));
    edit(s);
    return s;
  };

  it("the same machine added on both sides: equal attributes agree, different ones conflict one by one", () => {
    const base = prod();
    const ours = withApp3((s) => s.set("prod", "app3", "state", "2"));
    const theirs = withApp3((s) => s.set("prod", "app3", "sshPinged", "0").remove("prod", "app3", "startTime"));
    const out = mergeStates(base, ours, theirs);
    const p = resourcePath(base, "prod", "app3");
    expect(conflictSummary(out).sort((a, b) => a.path.join().localeCompare(b.path.join()))).toEqual([
      { path: [...p, "sshPinged"], kind: "add/add" },
      { path: [...p, "state"], kind: "add/add" },
    ]);
    // startTime is on ours only (the empty base has nothing): kept.
    expect(textAt(settled(out, "ours"), [...p, "startTime"])).toBe(app3().get("startTime"));
    expect(textAt(settled(out, "theirs"), [...p, "vmId"])).toBe(app3().get("vmId"));
  });

  it("two machines created under one name (different instances) are one conflict at the resource", () => {
    const base = prod();
    const ours = withApp3(() => undefined);
    const theirs = withApp3((s) => s.set("prod", "app3", "vmId", "i-0aaaaaaaaaaaaaaaa").set("prod", "app3", "creationTime", "1692700999"));
    const out = mergeStates(base, ours, theirs);
    expect(conflictSummary(out)).toEqual([{ path: resourcePath(base, "prod", "app3"), kind: "add/add" }]);
    expect(isHunk(at(out.merged, resourcePath(base, "prod", "app3")))).toBe(true);
  });

  it("no base at all: the whole state merges with an empty base", () => {
    const ours = prod().set("prod", "app1", "state", "5");
    const theirs = prod().set("prod", "app2", "state", "4");
    const out = mergeStates(null, ours, theirs);
    const app = (n: string) => resourcePath(ours, "prod", n);
    expect(conflictSummary(out)).toEqual([
      { path: [...app("app1"), "state"], kind: "add/add" },
      { path: [...app("app2"), "state"], kind: "add/add" },
    ]);
    expect(textAt(settled(out, "ours"), [...app("db1"), "vmId"])).toBe(ours.get("prod", "db1", "vmId"));
  });
});

describe("embedded JSON is compared and merged by value", () => {
  it("a keys blob that a deploy only re-ordered is no change, and keeps ours' exact text", () => {
    const base = prod();
    const mate = teammate();
    expect(mate.get("prod", "app1", "keys")).not.toBe(base.get("prod", "app1", "keys"));
    const ours = base.clone().set("prod", "app1", "state", "5");
    const theirs = base.clone().set("prod", "app1", "keys", mate.get("prod", "app1", "keys")!).set("prod", "app1", "toplevel", mate.get("prod", "app1", "toplevel")!);
    const out = mergeStates(base, ours, theirs);
    expect(out.conflicts).toEqual([]);
    expect(textAt(out.merged, [...resourcePath(base, "prod", "app1"), "keys"])).toBe(base.get("prod", "app1", "keys"));
  });

  it("ours' text stays even when ours did not touch the machine at all and theirs re-ordered its keys", () => {
    const base = prod();
    const mate = teammate();
    const ours = base.clone().set("prod", "db1", "state", "5");
    const theirs = base.clone().set("prod", "app1", "keys", mate.get("prod", "app1", "keys")!).set("prod", "app1", "toplevel", mate.get("prod", "app1", "toplevel")!);
    const out = mergeStates(base, ours, theirs);
    const app1 = resourcePath(base, "prod", "app1");
    expect(textAt(out.merged, [...app1, "keys"])).toBe(base.get("prod", "app1", "keys"));
    expect(textAt(out.merged, [...app1, "toplevel"])).toBe(mate.get("prod", "app1", "toplevel"));
  });

  it("when the merged value equals theirs, theirs' exact text is kept", () => {
    const base = prod();
    const theirs = base.clone().setInner("prod", "app1", "keys", ["app-env", "permissions"], "0440");
    const ours = base.clone().set("prod", "app1", "state", "5");
    const out = mergeStates(base, ours, theirs);
    expect(textAt(out.merged, [...resourcePath(base, "prod", "app1"), "keys"])).toBe(theirs.get("prod", "app1", "keys"));
  });

  it("an inner record only theirs changed (and re-ordered) is re-encoded in ours' key order too", () => {
    const base = prod();
    const mate = teammate();
    // Theirs re-ordered every entry's keys and changed app-env; ours added another key entry, so the blob is re-encoded.
    const theirs = base.clone().set("prod", "app1", "keys", mate.get("prod", "app1", "keys")!).setInner("prod", "app1", "keys", ["app-env", "permissions"], "0440");
    const ours = base.clone().setInner("prod", "app1", "keys", ["db-env"], new Map([["text", "x"]]));
    const out = mergeStates(base, ours, theirs);
    expect(out.conflicts).toEqual([]);
    const blob = textAt(out.merged, [...resourcePath(base, "prod", "app1"), "keys"]) as string;
    const innerKeys = (text: string) => [...((parseJson(text).value as Map<string, Map<string, unknown>>).get("app-env")!.keys())];
    expect(innerKeys(blob)).toEqual(innerKeys(base.get("prod", "app1", "keys")!));
    expect(innerKeys(mate.get("prod", "app1", "keys")!)).not.toEqual(innerKeys(base.get("prod", "app1", "keys")!));
  });

  it("otherwise the value is re-encoded as Python's json.dumps, in ours' key order", () => {
    const base = prod();
    const mate = teammate();
    // Theirs re-ordered the blob (as every deploy does) and changed one inner key; ours another.
    const theirs = base.clone().set("prod", "app1", "keys", mate.get("prod", "app1", "keys")!).setInner("prod", "app1", "keys", ["app-env", "permissions"], "0440");
    const ours = base.clone().setInner("prod", "app1", "keys", ["app-env", "user"], "deploy");
    const out = mergeStates(base, ours, theirs);
    expect(out.conflicts).toEqual([]);
    const expected = base.clone().setInner("prod", "app1", "keys", ["app-env", "user"], "deploy").setInner("prod", "app1", "keys", ["app-env", "permissions"], "0440");
    expect(textAt(out.merged, [...resourcePath(base, "prod", "app1"), "keys"])).toBe(expected.get("prod", "app1", "keys"));
  });

  it("inner conflicts have paths continuing into the embedded keys; each side keeps the other's non-conflicting inner change", () => {
    const base = prod();
    const ours = base.clone().setInner("prod", "app1", "ec2.tags", ["Team"], "platform-a").setInner("prod", "app1", "ec2.tags", ["Owner"], "alice");
    const theirs = base.clone().setInner("prod", "app1", "ec2.tags", ["Team"], "platform-b").setInner("prod", "app1", "ec2.tags", ["Environment"], "prod");
    const out = mergeStates(base, ours, theirs);
    const tags = [...resourcePath(base, "prod", "app1"), "ec2.tags"];
    expect(conflictSummary(out)).toEqual([{ path: [...tags, "Team"], kind: "modify/modify" }]);
    const oursSide = settled(out, "ours");
    const theirsSide = settled(out, "theirs");
    expect(at(oursSide, [...tags, "Team"])).toBe("platform-a");
    expect(at(oursSide, [...tags, "Environment"])).toBe("prod");
    expect(at(oursSide, [...tags, "Owner"])).toBe("alice");
    expect(at(theirsSide, [...tags, "Team"])).toBe("platform-b");
    expect(at(theirsSide, [...tags, "Owner"])).toBe("alice");
    expect(at(theirsSide, [...tags, "Environment"])).toBe("prod");
  });

  it("arrays inside embedded JSON are atomic: both sides changing one differently is a conflict at the array", () => {
    const base = prod();
    const rules = base.get("prod", "ssh-sg", "ec2.securityGroupRules")!;
    const ours = base.clone().set("prod", "ssh-sg", "ec2.securityGroupRules", rules.replace(/]]$/, '], ["tcp", 443, 443, "0.0.0.0/0"]]'));
    const theirs = base.clone().set("prod", "ssh-sg", "ec2.securityGroupRules", rules.replace(/]]$/, '], ["tcp", 80, 80, "0.0.0.0/0"]]'));
    expect(ours.get("prod", "ssh-sg", "ec2.securityGroupRules")).not.toBe(rules);
    const out = mergeStates(base, ours, theirs);
    expect(conflictSummary(out)).toEqual([{ path: [...resourcePath(base, "prod", "ssh-sg"), "ec2.securityGroupRules"], kind: "modify/modify" }]);
  });

  it("an array nested in an embedded object is atomic too, its conflict path ends at the array", () => {
    const base = prod();
    const ours = base.clone().setInner("prod", "app1", "keys", ["app-env", "groups"], ["app", "ops"]);
    const theirs = base.clone().setInner("prod", "app1", "keys", ["app-env", "groups"], ["app", "dev"]);
    const out = mergeStates(base, ours, theirs);
    expect(conflictSummary(out)).toEqual([{ path: [...resourcePath(base, "prod", "app1"), "keys", "app-env", "groups"], kind: "add/add" }]);
  });
});

describe("record identity: no machine stitched from two instances", () => {
  it("re-created on one side (the teammate's app2) and changed on the other is one whole-resource conflict", () => {
    const base = prod();
    const ours = base.clone().set("prod", "app2", "toplevel", "/nix/store/ours-nixos-system-app2");
    const out = mergeStates(base, ours, teammate());
    expect(conflictSummary(out)).toEqual([{ path: resourcePath(base, "prod", "app2"), kind: "identity" }]);
    // Each side of the hunk is one whole instance, never a mix.
    const app2 = resourcePath(base, "prod", "app2");
    expect(textAt(settled(out, "ours"), [...app2, "vmId"])).toBe(base.get("prod", "app2", "vmId"));
    expect(textAt(settled(out, "ours"), [...app2, "toplevel"])).toBe("/nix/store/ours-nixos-system-app2");
    expect(textAt(settled(out, "theirs"), [...app2, "vmId"])).toBe(teammate().get("prod", "app2", "vmId"));
    expect(textAt(settled(out, "theirs"), [...app2, "publicIpv4"])).toBe(teammate().get("prod", "app2", "publicIpv4"));
    // Nothing inside a whole-record conflict is auto-resolved.
    expect(autoResolvedPaths(out).filter((p) => p[2] === "app2")).toEqual([]);
  });

  it("re-created on one side while the other only rewrote volatile values takes the new instance", () => {
    const base = prod();
    const ours = base.clone().set("prod", "app2", "configsPath", "/nix/store/ours-nixops-machines");
    const out = mergeStates(base, ours, teammate());
    const app2 = resourcePath(base, "prod", "app2");
    expect(out.conflicts).toEqual([]);
    expect(textAt(out.merged, [...app2, "vmId"])).toBe(teammate().get("prod", "app2", "vmId"));
  });

  it("a VirtualBox machine re-created (same vmId, new creationTime) and changed on the other side conflicts as a whole", () => {
    const base = State.fixture("vbox-none-2machines");
    const ours = base.clone().set("dev", "db", "creationTime", "1697900000").set("dev", "db", "privateIpv4", "192.168.56.120");
    const theirs = base.clone().set("dev", "db", "state", "5");
    expect(conflictSummary(mergeStates(base, ours, theirs))).toEqual([{ path: resourcePath(base, "dev", "db"), kind: "identity" }]);
  });

  it("a type's own id attribute (hcloud-volume hcloud.id) is identity too", () => {
    const base = hetzner();
    const ours = base.clone().set("tenant-acme", "acme-data", "hcloud.id", "99999999");
    const theirs = base.clone().set("tenant-acme", "acme-data", "hcloud.size", "100");
    expect(conflictSummary(mergeStates(base, ours, theirs))).toEqual([{ path: resourcePath(base, "tenant-acme", "acme-data"), kind: "identity" }]);
  });

  it("re-created on both sides into different instances is one conflict", () => {
    const base = prod();
    const ours = base.clone().set("prod", "app2", "vmId", "i-0bbbbbbbbbbbbbbbb").set("prod", "app2", "creationTime", "1692700500");
    const out = mergeStates(base, ours, teammate());
    expect(conflictSummary(out)).toEqual([{ path: resourcePath(base, "prod", "app2"), kind: "identity" }]);
  });

  it("a resource whose type differs between ours and theirs is one conflict", () => {
    const base = State.fixture("vbox-none-2machines");
    const ours = base.clone().set("dev", "web", "type", "virtualbox");
    const theirs = base.clone().set("dev", "web", "state", "5");
    expect(conflictSummary(mergeStates(base, ours, theirs))).toEqual([{ path: resourcePath(base, "dev", "web"), kind: "type" }]);
  });
});

describe("volatile attributes", () => {
  it("configsPath and CharonStateFile changed on both sides take ours and are reported", () => {
    const base = prod();
    const ours = base.clone().set("prod", null, "configsPath", "/nix/store/ours-nixops-machines").set("prod", "app1", "configsPath", "/nix/store/ours-nixops-machines").setInner("prod", "app1", "ec2.tags", ["CharonStateFile"], "bob@bob-pc:/tmp/tmpbob/state.nixops");
    const out = mergeStates(base, ours, teammate());
    const uuid = base.uuid("prod");
    const app1 = resourcePath(base, "prod", "app1");
    expect(out.conflicts.filter((c) => c.path[2] !== "app2")).toEqual([]);
    expect(textAt(out.merged, [uuid, "configsPath"])).toBe("/nix/store/ours-nixops-machines");
    expect(textAt(out.merged, [...app1, "configsPath"])).toBe("/nix/store/ours-nixops-machines");
    expect(at(out.merged, [...app1, "ec2.tags", "CharonStateFile"])).toBe("bob@bob-pc:/tmp/tmpbob/state.nixops");
    expect(autoResolvedPaths(out)).toEqual(expect.arrayContaining([[uuid, "configsPath"], [...app1, "configsPath"], [...app1, "ec2.tags", "CharonStateFile"]]));
  });

  it("turned off, the same values are true conflicts", () => {
    const base = prod();
    const ours = base.clone().set("prod", null, "configsPath", "/nix/store/ours-nixops-machines");
    const theirs = base.clone().set("prod", null, "configsPath", "/nix/store/theirs-nixops-machines");
    const out = mergeStates(base, ours, theirs, overlayOf({ volatile: { enabled: false, add: [], remove: [] } }));
    expect(conflictSummary(out)).toEqual([{ path: [base.uuid("prod"), "configsPath"], kind: "modify/modify" }]);
    expect(out.autoResolved).toEqual([]);
  });

  it("toplevel, state and IP addresses are not volatile: changed differently on both sides, they conflict", () => {
    const base = prod();
    const ours = base.clone().set("prod", "lb1", "toplevel", "/nix/store/a-system").set("prod", "lb1", "state", "5").set("prod", "lb1", "privateIpv4", "10.0.1.1");
    const theirs = base.clone().set("prod", "lb1", "toplevel", "/nix/store/b-system").set("prod", "lb1", "state", "4").set("prod", "lb1", "privateIpv4", "10.0.1.2");
    const lb1 = resourcePath(base, "prod", "lb1");
    expect(conflictSummary(mergeStates(base, ours, theirs)).map((c) => c.path[3]).sort()).toEqual(["privateIpv4", "state", "toplevel"]);
    expect(conflictSummary(mergeStates(base, ours, theirs)).every((c) => c.path.slice(0, 3).join() === lb1.join())).toBe(true);
  });
});
