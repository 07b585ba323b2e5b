import { describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { spawnSync } from "node:child_process";
import { BIN, State } from "../support/fixtures";
import type { TempRepo } from "../support/gitRepo";
import { HAS_GIT_CRYPT, STATE, allBlobs, blob, cryptRepo, gitCrypt, isCiphertext, keyFile, smudge } from "../support/cryptRepo";

const base = () => State.fixture("ec2-prod-5machines");
const PRIVATE_KEY = base().get("prod", "prod-kp", "privateKey") as string;

/** base on main, `ours` committed on main, `theirs` on branch "teammate". */
function branches(repo: TempRepo, ours: State, theirs: State): void {
  repo.write(STATE, base().text()).commit("base");
  repo.git("checkout", "-q", "-b", "teammate");
  repo.write(STATE, theirs.text()).commit("teammate deploys");
  repo.git("checkout", "-q", "main");
  repo.write(STATE, ours.text()).commit("we deploy");
}

function workTree(repo: TempRepo): Buffer {
  return readFileSync(join(repo.dir, STATE));
}

/** Nothing Git stored (committed, staged, or written by the driver) holds plaintext state. */
function expectNoPlaintextStored(repo: TempRepo): void {
  const blobs = allBlobs(repo);
  expect(blobs.length).toBeGreaterThan(3);
  for (const b of blobs) {
    expect(b.includes(Buffer.from(PRIVATE_KEY.slice(40, 80)))).toBe(false);
    if (!b.toString("latin1").startsWith("*.nixops.json")) expect(isCiphertext(b)).toBe(true);
  }
}

describe.skipIf(!HAS_GIT_CRYPT)("git-crypt encrypted state", () => {
  it("Git hands the driver ciphertext, and the committed state is ciphertext", () => {
    const repo = cryptRepo();
    repo.write(STATE, base().text()).commit("base");
    expect(isCiphertext(blob(repo, `HEAD:${STATE}`))).toBe(true);
    expect(workTree(repo).toString("utf8")).toBe(base().text());
  });

  it("merges a clean concurrent change: ciphertext in Git, merged plaintext in the work tree", () => {
    const repo = cryptRepo();
    const ours = base().set("prod", "app1", "toplevel", "/nix/store/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa-nixos-system-app1");
    const theirs = base().set("prod", "db1", "toplevel", "/nix/store/bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb-nixos-system-db1");
    branches(repo, ours, theirs);

    const r = repo.tryGit("merge", "-q", "--no-edit", "teammate");
    expect(r.status, r.stderr).toBe(0);
    expect(repo.unmerged()).toEqual([]);

    const expected = base()
      .set("prod", "app1", "toplevel", "/nix/store/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa-nixos-system-app1")
      .set("prod", "db1", "toplevel", "/nix/store/bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb-nixos-system-db1")
      .text();
    const stored = blob(repo, `HEAD:${STATE}`);
    expect(isCiphertext(stored)).toBe(true);
    expect(smudge(repo, stored)).toBe(expected);
    expect(workTree(repo).toString("utf8")).toBe(expected);
    expect(repo.git("status", "--porcelain")).toBe("");
    expectNoPlaintextStored(repo);
  });

  it("writes a conflict as plaintext markers in the work tree while Git keeps only ciphertext", () => {
    const repo = cryptRepo();
    const ours = base()
      .set("prod", "app1", "toplevel", "/nix/store/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa-ours")
      .set("prod", "lb1", "state", "5");
    const theirs = base()
      .set("prod", "app1", "toplevel", "/nix/store/cccccccccccccccccccccccccccccccc-theirs")
      .set("prod", "db1", "state", "5");
    branches(repo, ours, theirs);

    const r = repo.tryGit("merge", "-q", "--no-edit", "teammate");
    expect(r.status).toBe(1);
    expect(repo.unmerged()).toEqual([STATE]);
    for (const stage of [1, 2, 3]) expect(isCiphertext(blob(repo, `:${stage}:${STATE}`))).toBe(true);
    expect(smudge(repo, blob(repo, `:3:${STATE}`))).toBe(theirs.text());

    const text = workTree(repo).toString("utf8");
    expect(isCiphertext(workTree(repo))).toBe(false);
    expect(text).toMatch(/^<<<<<<< HEAD$/m);
    expect(text).toContain("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa-ours");
    expect(text).toContain("cccccccccccccccccccccccccccccccc-theirs");
    // Both sides' other changes are merged outside the hunk.
    const oursPick = text.replace(/^<<<<<<< .*\n((?:.*\n)*?)=======\n(?:.*\n)*?>>>>>>> .*\n/gm, "$1");
    const picked = JSON.parse(oursPick);
    const prod = picked[base().uuid("prod")].resources;
    expect(prod.lb1.state).toBe("5");
    expect(prod.db1.state).toBe("5");
    expect(prod.app1.toplevel).toBe("/nix/store/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa-ours");
    expectNoPlaintextStored(repo);

    // Resolving and committing goes through the clean filter as usual: ciphertext again.
    repo.write(STATE, oursPick).commit("resolved");
    expect(isCiphertext(blob(repo, `HEAD:${STATE}`))).toBe(true);
    expect(smudge(repo, blob(repo, `HEAD:${STATE}`))).toBe(oursPick);
  });

  it("merges an add/add (no base) of encrypted state: two teams' deployments in one file", () => {
    const repo = cryptRepo();
    const dev = State.fixture("vbox-none-2machines");
    const tenants = State.fixture("hetzner-hcloud-multitenant");
    repo.commit("attributes only");
    repo.git("checkout", "-q", "-b", "teammate");
    repo.write(STATE, tenants.text()).commit("teammate adds the state");
    repo.git("checkout", "-q", "main");
    repo.write(STATE, dev.text()).commit("we add the state");
    const r = repo.tryGit("merge", "-q", "--no-edit", "teammate");
    expect(r.status, r.stderr).toBe(0);
    const both = dev.clone();
    for (const [uuid, d] of tenants.doc) both.doc.set(uuid, d);
    expect(smudge(repo, blob(repo, `HEAD:${STATE}`))).toBe(both.text());
    expect(workTree(repo).toString("utf8")).toBe(both.text());
    expectNoPlaintextStored(repo);
  });

  it("works with a named git-crypt key (filter=git-crypt-NAME)", () => {
    const repo = cryptRepo("ops");
    const ours = base().set("prod", "app1", "toplevel", "/nix/store/dddddddddddddddddddddddddddddddd-x");
    const theirs = base().set("prod", "app2", "toplevel", "/nix/store/eeeeeeeeeeeeeeeeeeeeeeeeeeeeeeee-y");
    branches(repo, ours, theirs);
    const r = repo.tryGit("merge", "-q", "--no-edit", "teammate");
    expect(r.status, r.stderr).toBe(0);
    const stored = blob(repo, `HEAD:${STATE}`);
    expect(isCiphertext(stored)).toBe(true);
    const merged = JSON.parse(smudge(repo, stored, "ops"))[base().uuid("prod")].resources;
    expect([merged.app1.toplevel, merged.app2.toplevel]).toEqual(["/nix/store/dddddddddddddddddddddddddddddddd-x", "/nix/store/eeeeeeeeeeeeeeeeeeeeeeeeeeeeeeee-y"]);
    expectNoPlaintextStored(repo);
  });

  it("doctor in a locked clone reads no state file's ciphertext as broken JSON", () => {
    const repo = cryptRepo();
    repo.write(STATE, base().text()).commit("state");
    gitCrypt(repo, "export-key", keyFile(repo));
    gitCrypt(repo, "lock");
    expect(isCiphertext(workTree(repo))).toBe(true);
    const r = spawnSync(process.execPath, [BIN, "doctor"], { cwd: repo.dir, env: repo.env, encoding: "utf8" });
    expect(r.stdout).toMatch(/\[state-files\]/);
    expect(r.stdout).not.toMatch(/not valid JSON/);
  });

  it("when the repository is locked, says so and keeps ours, encrypted, with a conflict", () => {
    const repo = cryptRepo();
    const ours = base().set("prod", "app1", "toplevel", "/nix/store/ffffffffffffffffffffffffffffffff-ours");
    const theirs = base().set("prod", "db1", "toplevel", "/nix/store/gggggggggggggggggggggggggggggggg-theirs");
    branches(repo, ours, theirs);
    gitCrypt(repo, "export-key", keyFile(repo));
    gitCrypt(repo, "lock");
    const oursBlob = blob(repo, `HEAD:${STATE}`);
    expect(workTree(repo).equals(oursBlob)).toBe(true);

    const r = repo.tryGit("merge", "--no-edit", "teammate");
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/prod\.nixops\.json: the state is encrypted with git-crypt .*locked/);
    expect(r.stderr).toContain("keeping ours (still encrypted)");
    expect(repo.unmerged()).toEqual([STATE]);
    expect(workTree(repo).equals(oursBlob)).toBe(true);
    expectNoPlaintextStored(repo);

    // Unlocked again, the same merge goes through.
    repo.git("merge", "--abort");
    gitCrypt(repo, "unlock", keyFile(repo));
    const again = repo.tryGit("merge", "-q", "--no-edit", "teammate");
    expect(again.status, again.stderr).toBe(0);
    const merged = JSON.parse(workTree(repo).toString("utf8"))[base().uuid("prod")].resources;
    expect([merged.app1.toplevel, merged.db1.toplevel]).toEqual(["/nix/store/ffffffffffffffffffffffffffffffff-ours", "/nix/store/gggggggggggggggggggggggggggggggg-theirs"]);
    expect(isCiphertext(blob(repo, `HEAD:${STATE}`))).toBe(true);
  });
});
