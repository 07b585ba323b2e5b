// The policy's NixOps settings, through `git merge` with the driver configured: volatile
// paths added, removed or turned off, identity attributes for a plugin's resource type, and
// extra secret names. Each is checked against the same merge without the setting.

import { describe, expect, it } from "vitest";
import { TempRepo } from "../support/gitRepo";
import { State } from "../support/fixtures";

const FILE = "prod.nixops.json";

function mergeStates(base: State, ours: State, theirs: State, policy: object | null) {
  const repo = TempRepo.create().configureDriver("*.nixops.json");
  if (policy) repo.write(".statefile-merge.json", JSON.stringify(policy, null, 2));
  repo.write(FILE, base.text()).commit("base");
  repo.git("checkout", "-q", "-b", "theirs");
  repo.write(FILE, theirs.text()).commit("theirs");
  repo.git("checkout", "-q", "main");
  repo.write(FILE, ours.text()).commit("ours");
  const r = repo.tryGit("merge", "theirs");
  return { status: r.status, stderr: r.stderr, result: repo.read(FILE) };
}

const forState = (settings: object) => ({ files: { "*.nixops.json": settings } });

/** Two deploys from two branches: each rewrote the deployment's configsPath. */
function twoDeploys() {
  const base = State.fixture("ec2-prod-5machines");
  const ours = base.clone().set("prod", null, "configsPath", "/nix/store/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa-nixops-machines");
  const theirs = base.clone().set("prod", null, "configsPath", "/nix/store/bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb-nixops-machines");
  return { base, ours, theirs };
}

describe("policy settings for NixOps state", () => {
  it("configsPath is volatile by default: two deploys merge cleanly, reported", () => {
    const { base, ours, theirs } = twoDeploys();
    const m = mergeStates(base, ours, theirs, null);
    expect(m.status).toBe(0);
    expect(m.stderr).toContain("auto-resolved volatile value");
  });

  it('"volatile": false turns the rule off: the same merge conflicts at configsPath', () => {
    const { base, ours, theirs } = twoDeploys();
    const m = mergeStates(base, ours, theirs, forState({ volatile: false }));
    expect(m.status).toBe(1);
    expect(m.stderr).toMatch(/CONFLICT \(modify\/modify, changed on both sides\) in deployment prod \([0-9a-f-]+\), attribute configsPath:/);
  });

  it("volatile.remove takes one default away", () => {
    const { base, ours, theirs } = twoDeploys();
    const m = mergeStates(base, ours, theirs, forState({ volatile: { remove: ["/*/configsPath"] } }));
    expect(m.status).toBe(1);
    expect(m.stderr).toContain("attribute configsPath");
  });

  it("volatile.add of whole deployments or machines changes nothing: a machine is never volatile (the engine ignores such paths)", () => {
    const base = State.fixture("ec2-prod-5machines");
    const machine = base.resource("prod", "app1");
    const ours = base.clone().addResource("prod", "ours-new", Object.fromEntries([...machine].map(([k, v]) => [k, k === "vmId" ? "ours-vm" : v])) as Record<string, string>);
    const theirs = base.clone().set("prod", "app1", "toplevel", "/nix/store/cccccccccccccccccccccccccccccccc-nixos-system").addResource("prod", "theirs-new", { type: "none", vmId: "theirs-vm" });
    const expected = mergeStates(base, ours, theirs, null);
    const m = mergeStates(base, ours, theirs, forState({ volatile: { add: ["/*", "/*/resources/*"] } }));
    expect(expected.status).toBe(0);
    expect(m.status).toBe(0);
    expect(m.result).toBe(expected.result);
    expect(m.result).toContain('"theirs-new"');
    expect(m.stderr).not.toContain("auto-resolved volatile value in deployment prod (");
    // Ours deleted the deployment, theirs added a machine to it: a conflict, not a clean deletion.
    const deleted = Object.assign(base.clone(), { text: () => "{}\n" });
    const gone = mergeStates(base, deleted, theirs, forState({ volatile: { add: ["/*"] } }));
    expect(gone.status).toBe(1);
    expect(gone.stderr).toMatch(/CONFLICT \(delete\/modify/);
  });

  it("volatile.add makes another attribute take ours' value, reported", () => {
    const base = State.fixture("ec2-prod-5machines");
    const ours = base.clone().set("prod", "app1", "publicIpv4", "203.0.113.1");
    const theirs = base.clone().set("prod", "app1", "publicIpv4", "203.0.113.2");
    expect(mergeStates(base, ours, theirs, null).status).toBe(1);
    const m = mergeStates(base, ours, theirs, forState({ volatile: { add: ["/*/resources/*/publicIpv4"] } }));
    expect(m.status).toBe(0);
    expect(m.stderr).toContain("auto-resolved volatile value in deployment prod");
    expect(m.result).toContain('"publicIpv4": "203.0.113.1"');
    expect(m.result).not.toContain("203.0.113.2");
  });

  it("identity attributes for a plugin's resource type stop a stitched machine", () => {
    const base = State.fixture("ec2-prod-5machines").addResource("prod", "vm1", {
      type: "libvirtd",
      "libvirtd.domainUUID": "7c1a6e1c-0000-4000-8000-000000000001",
      state: "1",
    });
    // Ours re-created the VM (a new domain), theirs changed the old one.
    const ours = base.clone().set("prod", "vm1", "libvirtd.domainUUID", "7c1a6e1c-0000-4000-8000-000000000002");
    const theirs = base.clone().set("prod", "vm1", "state", "2");
    const without = mergeStates(base, ours, theirs, null);
    expect(without.status).toBe(0); // stitched: ours' domain with theirs' state
    const m = mergeStates(base, ours, theirs, forState({ identity: { libvirtd: ["libvirtd.domainUUID"] } }));
    expect(m.status).toBe(1);
    expect(m.stderr).toMatch(/CONFLICT \(identity, re-created on one side and changed on the other\) in deployment prod \([0-9a-f-]+\), resource vm1:/);
  });

  it("secretNames hides more attributes in messages", () => {
    const base = State.fixture("ec2-prod-5machines").set("prod", "app1", "backupPassphraseFile", "base-value");
    const ours = base.clone().set("prod", "app1", "backupPassphraseFile", "ours-value").set("prod", "app1", "storeKey", "sk-ours-1234");
    const theirs = base.clone().set("prod", "app1", "backupPassphraseFile", "theirs-value").set("prod", "app1", "storeKey", "sk-theirs-5678");
    const shown = mergeStates(base, ours, theirs, null);
    expect(shown.stderr).toContain("sk-ours-1234");
    const m = mergeStates(base, ours, theirs, forState({ secretNames: ["storeKey"] }));
    expect(m.status).toBe(1);
    expect(m.stderr).toMatch(/attribute storeKey: ours added "<secret sha256:[0-9a-f]{12}>"/);
    expect(m.stderr).not.toContain("sk-ours-1234");
    expect(m.stderr).not.toContain("sk-theirs-5678");
  });

  it("an entry for other files leaves this one alone, and the first matching entry wins", () => {
    const { base, ours, theirs } = twoDeploys();
    expect(mergeStates(base, ours, theirs, { files: { "other/*.nixops.json": { volatile: false } } }).status).toBe(0);
    const firstWins = { files: { "prod.nixops.json": { volatile: true }, "*.nixops.json": { volatile: false } } };
    expect(mergeStates(base, ours, theirs, firstWins).status).toBe(0);
  });
});
