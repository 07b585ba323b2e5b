import { describe, expect, it } from "vitest";
import { existsSync, statSync } from "node:fs";
import { join } from "node:path";
import { State, fixtureText } from "../support/fixtures";
import { STATE, STORE_ID, WrapperRepo } from "../support/wrapperRun";

const MACHINES = `/nix/store/${STORE_ID}-nixops-machines`;

/** The file's bytes and modification time, to tell "untouched" from "rewritten the same". */
function snapshot(w: WrapperRepo): { text: string; mtimeMs: number } {
  return { text: w.state(), mtimeMs: statSync(join(w.repo.dir, STATE)).mtimeMs };
}

describe("statefile-merge nixops without a state file", () => {
  it("refuses, naming --state, when none is given and deployments.nixops.json does not exist (no stray {} file)", () => {
    const w = WrapperRepo.create(null);
    const r = w.run(["list"], [], {}, { state: null });
    expect(r.status).toBe(2);
    expect(r.stderr.trim().split("\n")).toHaveLength(1);
    expect(r.stderr).toContain(`no state file given and ${join(w.repo.dir, "deployments.nixops.json")} does not exist; pass --state FILE`);
    expect(existsSync(join(w.repo.dir, "deployments.nixops.json"))).toBe(false);
    expect(w.entries()).toEqual([]); // nixops never ran
  });

  it("takes deployments.nixops.json when it exists and no --state is given", () => {
    const w = WrapperRepo.create(null);
    w.repo.write("deployments.nixops.json", fixtureText("vbox-none-2machines")).commit("state");
    const r = w.run(["deploy", "-d", "dev"], [], {}, { state: null });
    expect(r.status, r.stderr).toBe(0);
    expect(w.repo.read("deployments.nixops.json")).toContain(MACHINES);
  });

  it("writes no file for a read-only command on a given --state that does not exist yet", () => {
    const w = WrapperRepo.create(null);
    const r = w.run(["list"]);
    expect(r.status, r.stderr).toBe(0);
    expect(existsSync(join(w.repo.dir, STATE))).toBe(false);
  });
});

describe("a nixops run that changed nothing leaves the state file untouched (bytes and mtime)", () => {
  it("a list on a file with a byte-order mark keeps the mark (the state is the same)", () => {
    const w = WrapperRepo.create("\ufeff" + fixtureText("hetzner-hcloud-multitenant"));
    const before = snapshot(w);
    const r = w.run(["list"]);
    expect(r.status, r.stderr).toBe(0);
    expect(snapshot(w)).toEqual(before);
    expect(r.stderr).not.toContain("wrote");
  });

  it("a list on a file in another layout (hand-formatted) does not reformat it", () => {
    const text = JSON.stringify(JSON.parse(fixtureText("vbox-none-2machines")), null, 4) + "\n";
    const w = WrapperRepo.create(text);
    const before = snapshot(w);
    expect(w.run(["list"]).status).toBe(0);
    expect(snapshot(w)).toEqual(before);
  });

  it("a deploy whose export equals the committed state as values (NixOps 2.0 re-ordered `keys`) writes nothing and commits nothing", () => {
    // The state as the same deploy left it last time: the fake's store paths are already there.
    const state = State.fixture("ec2-prod-5machines");
    state.set("prod", null, "configsPath", MACHINES);
    state.set("prod", "app1", "toplevel", `/nix/store/${STORE_ID}-nixos-system-app1`).set("prod", "app1", "configsPath", MACHINES);
    const w = WrapperRepo.create(state.text(), { FAKE_NIXOPS_REORDER_KEYS: "1" });
    const head = w.repo.git("rev-parse", "HEAD");
    const before = snapshot(w);
    const r = w.run(["deploy", "-d", "prod", "--include", "app1"], ["--commit"]);
    expect(r.status, r.stderr).toBe(0);
    expect(snapshot(w)).toEqual(before);
    expect(r.stderr).toContain("has no changes to commit");
    expect(w.repo.git("rev-parse", "HEAD")).toBe(head);
  });

  it("the stand-in really re-orders `keys` (else the test above proves nothing)", () => {
    const w = WrapperRepo.create(fixtureText("ec2-prod-5machines"), { FAKE_NIXOPS_REORDER_KEYS: "1" });
    expect(w.run(["deploy", "-d", "prod", "--include", "app1"]).status).toBe(0);
    const keysLine = (text: string) => text.split("\n").find((l) => l.includes('"keys"'));
    expect(keysLine(w.state())).not.toBe(keysLine(fixtureText("ec2-prod-5machines")));
  });
});
