// `statefile-merge recover`: the one command that brings a kept run's state into the state
// file, as the wrapper's own export would have written it (nixExprs relative to the
// repository), merged with what changed the file meanwhile; with conflicts it marks them and
// keeps the run's directory; it refuses what would delete a deployment, and a run still going.

import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { describe, expect, it } from "vitest";
import { BIN, State, fixtureText, pyDumps } from "../support/fixtures";
import { FAKE_NIXOPS, STATE, WrapperRepo, deployed, machinesOf } from "../support/wrapperRun";
import { lockPathFor } from "../../src/wrapper/lock";
import { GITCRYPT_HEADER } from "../../src/crypt/gitCrypt";

const BROKEN_EXPORT = { FAKE_NIXOPS_BREAK_EXPORT: "1" };
const WORKING_EXPORT = { FAKE_NIXOPS_BREAK_EXPORT: "" };

function recover(w: WrapperRepo, env: NodeJS.ProcessEnv = WORKING_EXPORT, ...options: string[]) {
  const r = spawnSync(process.execPath, [BIN, "recover", "--state", STATE, "--nixops", FAKE_NIXOPS, ...options], { cwd: w.repo.dir, env: { ...w.env, ...env }, encoding: "utf8" });
  return { status: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

/** The run directories the wrapper keeps in the Git directory. */
function runDirs(w: WrapperRepo): string[] {
  const runs = join(w.repo.dir, ".git", "statefile-merge", "runs");
  return existsSync(runs) ? readdirSync(runs) : [];
}

describe("statefile-merge recover", () => {
  it("writes NixOps 1.x nixExprs relative to the repository, as the wrapper's own export does (a plain export would bring this checkout's absolute paths)", () => {
    const network = ["infra/logical.nix", "infra/physical-vbox.nix"];
    const v1 = { FAKE_NIXOPS_VERSION: "1.7", FAKE_NIXOPS_EVALUATE: "1" };
    const committed = State.fixture("legacy-nixops-1.7-python2").set("local", null, "nixExprs", pyDumps(network));
    const w = WrapperRepo.create(committed.text(), v1);
    for (const f of network) w.repo.write(f, "{ }\n");
    w.repo.commit("network", ...network);
    const r = w.run(["deploy", "-d", "local"], [], BROKEN_EXPORT);
    expect(r.status).toBe(1);
    const statefile = w.entries()[0].statefile;
    // What the old steps exported: this checkout's absolute paths.
    const plain = execFileSync(FAKE_NIXOPS, ["export", "--all"], { env: { ...w.env, NIXOPS_STATE: statefile }, encoding: "utf8" });
    expect(plain).toContain(join(w.repo.dir, "infra/logical.nix"));

    const done = recover(w);
    expect(done.status, done.stderr).toBe(0);
    expect(w.state()).toBe(deployed(committed, "local", ...machinesOf(committed, "local")).text());
    expect(w.state()).not.toContain(w.repo.dir);
    expect(existsSync(dirname(statefile))).toBe(false);
    expect(existsSync(lockPathFor(join(w.repo.dir, STATE)))).toBe(false);
  });

  it("with a conflicting change made meanwhile, marks the conflict, keeps the run's directory, and later runs say to settle it", () => {
    const fixture = "vbox-none-2machines";
    const w = WrapperRepo.create(fixtureText(fixture));
    const r = w.run(["deploy", "-d", "dev"], [], BROKEN_EXPORT);
    expect(r.status).toBe(1);
    const dir = dirname(w.entries()[0].statefile);
    // A teammate's deploy of the same machine, pulled meanwhile.
    const theirs = State.fixture(fixture).set("dev", "db", "toplevel", "/nix/store/pulled-nixos-system-db");
    w.repo.write(STATE, theirs.text());

    const done = recover(w);
    expect(done.status).toBe(1);
    expect(done.stderr).toContain("CONFLICT (modify/modify, changed on both sides) in deployment dev");
    expect(done.stderr).toContain(`then delete ${dir}`);
    expect(w.state()).toMatch(/^<<<<<<< prod\.nixops\.json \(now\)$/m);
    expect(w.state()).toContain("/nix/store/pulled-nixos-system-db");
    expect(existsSync(dir)).toBe(true);
    const next = w.run(["deploy", "-d", "dev"]);
    expect(next.status).toBe(2);
    expect(next.stderr).toContain(`${STATE} holds its state with 1 conflict(s) marked: settle them in an editor`);
    // Run again before they are settled: refused, nothing written.
    const marked = w.state();
    const again = recover(w);
    expect(again.status).toBe(2);
    expect(again.stderr).toMatch(/prod\.nixops\.json:\d+ holds a conflict marker; settle the conflicts first \(statefile-merge check .*prod\.nixops\.json lists them\), then recover again/);
    expect(again.stderr).toContain(`nothing was written, and ${dir} stays`);
    expect(w.state()).toBe(marked);
  });

  it("merges a change made meanwhile that does not conflict", () => {
    const fixture = "vbox-none-2machines";
    const w = WrapperRepo.create(fixtureText(fixture));
    expect(w.run(["deploy", "-d", "dev", "--include", "web"], [], BROKEN_EXPORT).status).toBe(1);
    w.repo.write(STATE, State.fixture(fixture).set("dev", "db", "privateIpv4", "10.9.9.9").text());
    const done = recover(w);
    expect(done.status, done.stderr).toBe(0);
    expect(done.stderr).toContain(`wrote ${STATE} (dev changed)`);
    expect(w.state()).toBe(deployed(State.fixture(fixture).set("dev", "db", "privateIpv4", "10.9.9.9"), "dev", "web").text());
    expect(runDirs(w)).toEqual([]);
  });

  it("refuses an export that lacks a deployment unless the run was nixops delete, which it then deletes", () => {
    const fixture = "hetzner-hcloud-multitenant";
    const w = WrapperRepo.create(fixtureText(fixture));
    expect(w.run(["delete", "-d", "tenant-acme"], [], BROKEN_EXPORT).status).toBe(1);
    const done = recover(w);
    expect(done.status, done.stderr).toBe(0);
    expect(Object.values(JSON.parse(w.state()) as Record<string, { name: string }>).map((d) => d.name)).not.toContain("tenant-acme");

    const sharedDb = "8e2f4b90-2b7c-11ee-9a5e-9c2dcd0b1f11";
    const lose = `node -e 'const fs=require("fs"),f=process.env.NIXOPS_STATE,s=JSON.parse(fs.readFileSync(f));delete s["${sharedDb}"];fs.writeFileSync(f,JSON.stringify(s))'`;
    const v = WrapperRepo.create(fixtureText(fixture), { FAKE_NIXOPS_DURING: lose });
    expect(v.run(["deploy", "-d", "tenant-acme"], [], BROKEN_EXPORT).status).toBe(1);
    const refused = recover(v, { ...WORKING_EXPORT, FAKE_NIXOPS_DURING: "" });
    expect(refused.status).toBe(2);
    expect(refused.stderr).toContain(`lacks the deployment shared-db (${sharedDb})`);
    expect(refused.stderr).toContain("nothing was written");
    expect(v.state()).toBe(fixtureText(fixture));
    expect(runDirs(v)).toHaveLength(1);
  });

  it("a wrapper killed while importing left nothing nixops did: nothing to recover, and its directory (the file's keys) is removed", () => {
    const fixture = "vbox-none-2machines";
    const w = WrapperRepo.create(fixtureText(fixture));
    const killed = w.run(["deploy", "-d", "dev"], [], { FAKE_NIXOPS_KILL_WRAPPER_IMPORTING: "1" });
    expect(killed.status).not.toBe(0);
    expect(runDirs(w)).toHaveLength(1);
    const r = recover(w);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toContain("nothing to recover");
    expect(w.state()).toBe(fixtureText(fixture));
    expect(runDirs(w)).toEqual([]);
    expect(w.run(["deploy", "-d", "dev"]).status).toBe(0);
  });

  it("a directory an older version kept (no nixops-started mark) stays after a recover that fails", () => {
    const w = WrapperRepo.create(fixtureText("vbox-none-2machines"));
    expect(w.run(["deploy", "-d", "dev"], [], BROKEN_EXPORT).status).toBe(1);
    const dir = dirname(w.entries()[0].statefile);
    rmSync(join(dir, "nixops-started")); // as the version before this mark left it
    expect(recover(w, BROKEN_EXPORT).status).toBe(2);
    const next = w.run(["deploy", "-d", "dev"]);
    expect(next.status).toBe(2);
    expect(next.stderr).toContain(`ended without saving its state, which is left in ${dir}`);
    expect(existsSync(join(dir, "state.nixops"))).toBe(true);
    expect(recover(w).status).toBe(0);
  });

  it("keeps a teammate's deploy waiting while the taken-over state is not in the file (recover ended with conflicts)", () => {
    const fixture = "vbox-none-2machines";
    const { alice, bob } = WrapperRepo.team(fixtureText(fixture));
    expect(alice.run(["deploy", "-d", "dev"], [], BROKEN_EXPORT).status).toBe(1);
    alice.repo.write(STATE, State.fixture(fixture).set("dev", "db", "toplevel", "/nix/store/pulled-nixos-system-db").text());
    expect(recover(alice).status).toBe(1);
    const r = bob.run(["deploy", "-d", "dev"]);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain("the state it made is left unsaved in");
    expect(bob.entries()).toEqual([]);
  });

  it("names the file by its absolute path, so the command works from another directory than the run's", () => {
    const w = WrapperRepo.create(fixtureText("vbox-none-2machines"));
    w.repo.write("infra/README", "network files\n").commit("infra");
    const r = w.run(["deploy", "-d", "dev"], [], BROKEN_EXPORT, { cwd: join(w.repo.dir, "infra"), state: `../${STATE}` });
    expect(r.status).toBe(1);
    const done = w.runPrintedRecover(r.stderr, WORKING_EXPORT);
    expect(done?.status, done?.stderr ?? r.stderr).toBe(0);
    expect(runDirs(w)).toEqual([]);
  });

  it("writes the clean result in NixOps' layout, as the wrapper writes an export (a byte-order mark and CRLF line ends go)", () => {
    const fixture = "vbox-none-2machines";
    const w = WrapperRepo.create("\ufeff" + fixtureText(fixture).replace(/\n/g, "\r\n"));
    expect(w.run(["deploy", "-d", "dev", "--include", "web"], [], BROKEN_EXPORT).status).toBe(1);
    const done = recover(w);
    expect(done.status, done.stderr).toBe(0);
    expect(w.state()).toBe(deployed(State.fixture(fixture), "dev", "web").text());
  });

  it("says once who speaks when nixops cannot run (no doubled prefix), and keeps the run's directory", () => {
    const w = WrapperRepo.create(fixtureText("vbox-none-2machines"));
    expect(w.run(["deploy", "-d", "dev", "--include", "web"], [], BROKEN_EXPORT).status).toBe(1);
    const missing = join(w.repo.dir, "no-such-nixops");
    const r = spawnSync(process.execPath, [BIN, "recover", "--state", STATE, "--nixops", missing], { cwd: w.repo.dir, env: w.env, encoding: "utf8" });
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(new RegExp(`^statefile-merge: cannot run ${missing.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")} .*; nothing was written, and \\S+ stays$`, "m"));
    expect(r.stderr).not.toContain("statefile-merge: statefile-merge:");
    expect(runDirs(w)).toHaveLength(1);
  });

  it("refuses when the file is gone, saying how to bring it back, and keeps the run's directory", () => {
    const w = WrapperRepo.create(fixtureText("vbox-none-2machines"));
    expect(w.run(["deploy", "-d", "dev"], [], BROKEN_EXPORT).status).toBe(1);
    rmSync(join(w.repo.dir, STATE));
    const r = recover(w);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain(`${STATE} is gone or empty, although the run started from the state it held; restore it (git checkout -- ${STATE})`);
    expect(runDirs(w)).toHaveLength(1);
    w.repo.git("checkout", "--", STATE);
    expect(recover(w).status).toBe(0);
  });

  it("refuses a file that is git-crypt ciphertext (a locked repository), saying to unlock it", () => {
    const w = WrapperRepo.create(fixtureText("vbox-none-2machines"));
    expect(w.run(["deploy", "-d", "dev"], [], BROKEN_EXPORT).status).toBe(1);
    const locked = Buffer.concat([GITCRYPT_HEADER, Buffer.from("0123456789ab\x00\x01")]);
    writeFileSync(join(w.repo.dir, STATE), locked);
    const r = recover(w);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain(`${STATE} is git-crypt ciphertext (the repository is locked); run git-crypt unlock, then recover again`);
    expect(readFileSync(join(w.repo.dir, STATE)).equals(locked)).toBe(true);
    expect(runDirs(w)).toHaveLength(1);
  });

  it("refuses a --state that names no file when there is nothing to recover (a path typed from elsewhere)", () => {
    const w = WrapperRepo.create(fixtureText("vbox-none-2machines"));
    const r = spawnSync(process.execPath, [BIN, "recover", "--state", "nope.nixops.json"], { cwd: w.repo.dir, env: w.env, encoding: "utf8" });
    expect(r.status).toBe(2);
    expect(r.stderr).toContain("which does not exist; check --state");
  });

  it("says there is nothing to recover, and leaves a lock it did not find alone", () => {
    const w = WrapperRepo.create(fixtureText("vbox-none-2machines"));
    const r = recover(w);
    expect(r.status).toBe(0);
    expect(r.stderr).toBe(`statefile-merge: no wrapped nixops run left a state for ${STATE} in this clone; nothing to recover\n`);
    expect(existsSync(lockPathFor(join(w.repo.dir, STATE)))).toBe(false);
  });

  it("refuses while the run is still going", async () => {
    const w = WrapperRepo.create(fixtureText("vbox-none-2machines"));
    const first = w.start(["sleep", "30"]);
    try {
      await w.waitFor("sleeping");
      const r = recover(w);
      expect(r.status).toBe(2);
      expect(r.stderr).toContain("is locked by a wrapped nixops run");
      expect(readFileSync(join(w.repo.dir, STATE), "utf8")).toBe(fixtureText("vbox-none-2machines"));
    } finally {
      process.kill(-(first.child.pid as number), "SIGINT");
      await first.done;
    }
  });
});
