import { describe, expect, it } from "vitest";
import { execFileSync, spawnSync } from "node:child_process";
import { rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { State } from "../support/fixtures";
import { lockRefFor } from "../../src/wrapper/lockRef";
import { lockMessage, parseLockMessage, RemoteLock, type LockHolder } from "../../src/wrapper/remoteLock";
import { processStart } from "../../src/io/processStart";
import { PROC_STARTS, tickEarlier } from "../support/processStarts";
import { hostname } from "node:os";
import { STATE, STORE_ID, WrapperRepo } from "../support/wrapperRun";

const LOCK_REF = `refs/statefile-merge/lock/${STATE}`;
const text = () => State.fixture("vbox-none-2machines").text();
const HOUR = 3_600_000;
const ZERO = "0".repeat(40);

/** A pre-receive hook on the bare remote that runs `rule` for each pushed ref (old, new, ref). */
function preReceive(remote: string, rule: string): void {
  writeFileSync(join(remote, "hooks", "pre-receive"), `#!/bin/sh\nwhile read old new ref; do ${rule}; done\nexit 0\n`, { mode: 0o755 });
}

/** Takes the lock the way the wrapper does, for a holder on another machine. */
function lockFromElsewhere(clone: string, remote: string, since: Date): RemoteLock {
  const holder: LockHolder = { user: "carol", host: "carol-laptop.example", clone: "/home/carol/infra", pid: 4242, command: "nixops deploy -d dev", since: since.toISOString() };
  const place = { cwd: clone, remote, ref: lockRefFor(STATE), file: STATE };
  return RemoteLock.acquire(place, holder, { staleAfterMs: 2 * HOUR, forceUnlock: false, now: since }, () => undefined);
}

describe("the team-wide deploy lock on the shared Git remote", () => {
  it("refuses bob's deploy while alice's holds it, naming her; released when her run ends, even by Ctrl-C", async () => {
    const { remote, alice, bob } = WrapperRepo.team(text());
    const first = alice.start(["sleep", "30", "-d", "dev"]);
    try {
      await alice.waitFor("sleeping");
      expect(WrapperRepo.lockRefs(remote)).toEqual([LOCK_REF]);
      const r = bob.run(["deploy", "-d", "dev"]);
      expect(r.status).toBe(2);
      expect(r.stderr).toContain(`${STATE} on origin is locked for a deploy by `);
      expect(r.stderr).toContain(`(clone ${alice.repo.dir}, pid ${first.child.pid}), "nixops sleep 30 -d dev", since 20`);
      expect(r.stderr).toContain("run again with --force-unlock");
      expect(bob.entries()).toEqual([]); // not even the import ran
      expect(bob.state()).toBe(text());

      // Reading needs no lock.
      const list = bob.run(["list"]);
      expect(list.status, list.stderr).toBe(0);
    } finally {
      process.kill(-(first.child.pid as number), "SIGINT");
    }
    expect((await first.done).status).toBe(130);
    expect(WrapperRepo.lockRefs(remote)).toEqual([]);

    const again = bob.run(["deploy", "-d", "dev"]);
    expect(again.status, again.stderr).toBe(0);
    expect(WrapperRepo.lockRefs(remote)).toEqual([]);
  });

  it("lets exactly one of two clones that start at the same moment take it", async () => {
    const { remote, alice, bob } = WrapperRepo.team(text());
    const runs = [alice.start(["sleep", "30", "-d", "dev"]), bob.start(["sleep", "30", "-d", "dev"])];
    const first = await Promise.race(runs.map((run, i) => run.done.then((r) => ({ i, r }))));
    expect(first.r.status, first.r.stderr).toBe(2); // the loser stops at once; the winner sleeps
    expect(first.r.stderr).toContain("is locked for a deploy by");
    const winner = 1 - first.i;
    await [alice, bob][winner].waitFor("sleeping");
    expect([alice, bob][first.i].entries()).toEqual([]);
    process.kill(-(runs[winner].child.pid as number), "SIGINT");
    expect((await runs[winner].done).status).toBe(130);
    expect(WrapperRepo.lockRefs(remote)).toEqual([]);
  });

  it("releases the lock after a failing nixops too", () => {
    const { remote, alice } = WrapperRepo.team(text());
    expect(alice.run(["fail", "-d", "dev"]).status).toBe(3);
    expect(WrapperRepo.lockRefs(remote)).toEqual([]);
  });

  it("the lock is a commit on the remote that names the holder", async () => {
    const { remote, alice } = WrapperRepo.team(text());
    const first = alice.start(["sleep", "30", "-d", "dev"]);
    try {
      await alice.waitFor("sleeping");
      const message = execFileSync("git", ["--git-dir", remote, "log", "-1", "--format=%B", LOCK_REF], { encoding: "utf8" });
      expect(message).toContain(`statefile-merge deploy lock on ${STATE}`);
      expect(message).toContain(`clone: ${alice.repo.dir}`);
      expect(message).toContain(`pid: ${first.child.pid}`);
      expect(message).toContain("command: nixops sleep 30 -d dev");
    } finally {
      process.kill(-(first.child.pid as number), "SIGINT");
      await first.done;
    }
  });

  it("calls an old lock stale and says how to break it; --force-unlock breaks it and the run releases it after", () => {
    const { remote, bob } = WrapperRepo.team(text());
    lockFromElsewhere(bob.repo.dir, remote, new Date(Date.now() - 3 * HOUR));

    const r = bob.run(["deploy", "-d", "dev"]);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain(`${STATE} on origin has a stale deploy lock (older than 2h) held by carol on carol-laptop.example`);
    expect(r.stderr).toContain("(3 hours ago)");
    expect(r.stderr).toContain("if nobody is deploying, run again with --force-unlock");

    const patient = bob.run(["deploy", "-d", "dev"], ["--lock-stale-after", "4h"]);
    expect(patient.status).toBe(2);
    expect(patient.stderr).toContain("is locked for a deploy by carol on carol-laptop.example");
    expect(WrapperRepo.lockRefs(remote)).toEqual([LOCK_REF]);

    const forced = bob.run(["deploy", "-d", "dev"], ["--force-unlock"]);
    expect(forced.status, forced.stderr).toBe(0);
    expect(forced.stderr).toContain(`breaking the deploy lock of ${STATE} on origin held by carol on carol-laptop.example`);
    expect(bob.state()).toContain(`/nix/store/${STORE_ID}-nixops-machines`);
    expect(WrapperRepo.lockRefs(remote)).toEqual([]);
  });

  it("replaces a lock left by a dead process on this host, with a notice", () => {
    const { remote, bob } = WrapperRepo.team(text());
    const holder: LockHolder = { user: "bob", host: require("node:os").hostname(), clone: bob.repo.dir, pid: 2 ** 22 + 17, command: "nixops deploy", since: new Date().toISOString() };
    RemoteLock.acquire({ cwd: bob.repo.dir, remote, ref: lockRefFor(STATE), file: STATE }, holder, { staleAfterMs: HOUR, forceUnlock: false, now: new Date() }, () => undefined);
    const r = bob.run(["deploy", "-d", "dev"]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toContain(`pid ${2 ** 22 + 17}`);
    expect(r.stderr).toContain("that process is no longer running on this host");
    expect(WrapperRepo.lockRefs(remote)).toEqual([]);
  });

  it.runIf(PROC_STARTS)("replaces a lock whose holder's pid now names a later process on this host (pid reused), and keeps one whose holder still runs", () => {
    const { remote, bob } = WrapperRepo.team(text());
    // This test's own process holds the pid: alive, started when processStart says.
    const start = processStart(process.pid) as string;
    const place = { cwd: bob.repo.dir, remote, ref: lockRefFor(STATE), file: STATE };
    const holder = (started: string): LockHolder => ({ user: "bob", host: hostname(), clone: bob.repo.dir, pid: process.pid, start: started, command: "nixops deploy", since: new Date().toISOString() });
    const held = RemoteLock.acquire(place, holder(start), { staleAfterMs: HOUR, forceUnlock: false, now: new Date() }, () => undefined);
    const refused = bob.run(["deploy", "-d", "dev"]);
    expect(refused.status).toBe(2);
    expect(refused.stderr).toContain(`is locked for a deploy by bob on ${hostname()}`);
    held.release(() => undefined);
    RemoteLock.acquire(place, holder(tickEarlier(start)), { staleAfterMs: HOUR, forceUnlock: false, now: new Date() }, () => undefined);
    const r = bob.run(["deploy", "-d", "dev"]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toContain("that process is no longer running on this host");
    expect(WrapperRepo.lockRefs(remote)).toEqual([]);
  });

  it("on this host, keeps the lock of a wrapper killed outright while its nixops runs, then while the state it made is unsaved", async () => {
    const { alice, bob } = WrapperRepo.team(text());
    const first = alice.start(["sleep", "30", "-d", "dev"]);
    const wrapper = first.child.pid as number;
    try {
      await alice.waitFor("sleeping");
      const exited = new Promise((done) => first.child.once("exit", done));
      process.kill(wrapper, "SIGKILL"); // the wrapper alone: its nixops keeps deploying
      await exited;
      const r = bob.run(["deploy", "-d", "dev"]);
      expect(r.status).toBe(2);
      expect(r.stderr).toMatch(/is locked for a deploy by .*: that run is gone, but the nixops it started \(pid \d+\) still runs; wait for it to finish/);
      expect(bob.entries()).toEqual([]);
    } finally {
      process.kill(-wrapper, "SIGINT");
      await first.done;
    }
    // Its nixops has ended; its state is left in alice's clone, unsaved.
    for (let waited = 0; waited < 200 && /still runs/.test(bob.run(["deploy", "-d", "dev"]).stderr); waited++) await new Promise((done) => setTimeout(done, 50));
    const r = bob.run(["deploy", "-d", "dev"]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(new RegExp(`that run is gone, and the state it made is left unsaved in .*; a wrapped run in ${alice.repo.dir.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")} says how to merge it in`));
    expect(bob.entries()).toEqual([]);
  });

  it("stays held while a run's state is kept unsaved (its export failed), so teammates wait; the next run there takes it over", () => {
    const { remote, alice, bob } = WrapperRepo.team(text());
    const r = alice.run(["deploy", "-d", "dev"], [], { FAKE_NIXOPS_BREAK_EXPORT: "1" });
    expect(r.status).toBe(1);
    expect(r.stderr).toContain("the team-wide deploy lock stays held meanwhile");
    expect(WrapperRepo.lockRefs(remote)).toEqual([LOCK_REF]);
    const refused = bob.run(["deploy", "-d", "dev"]);
    expect(refused.status).toBe(2);
    expect(refused.stderr).toMatch(/that run is gone, and the state it made is left unsaved in /);
    expect(bob.entries()).toEqual([]);
    // Given up in alice's clone (its directory deleted), her next run takes the lock over, and releases it.
    const kept = /kept at (\S+)\/state\.nixops/.exec(r.stderr)?.[1] as string;
    rmSync(kept, { recursive: true, force: true });
    const again = alice.run(["deploy", "-d", "dev"], [], { FAKE_NIXOPS_BREAK_EXPORT: "" });
    expect(again.status, again.stderr).toBe(0);
    expect(WrapperRepo.lockRefs(remote)).toEqual([]);
    // Or released by hand with the command the message names.
    const second = alice.run(["deploy", "-d", "dev"], [], { FAKE_NIXOPS_BREAK_EXPORT: "1" });
    expect(WrapperRepo.lockRefs(remote)).toEqual([LOCK_REF]);
    const release = /, (git push \S+ \S+) releases it/.exec(second.stderr)?.[1];
    expect(release, second.stderr).toBeDefined();
    expect(spawnSync("sh", ["-c", release as string], { cwd: alice.repo.dir, env: alice.env }).status).toBe(0);
    expect(WrapperRepo.lockRefs(remote)).toEqual([]);
  });

  it("names the holder's start in the lock message, and reads it back (a message without one too)", () => {
    const holder: LockHolder = { user: "u", host: "h", clone: "/c", pid: 7, start: "boot:123", command: "nixops deploy", since: new Date(0).toISOString() };
    expect(parseLockMessage(lockMessage(STATE, holder))).toEqual(holder);
    const older = lockMessage(STATE, { ...holder, start: undefined });
    expect(older).not.toContain("start:");
    expect(parseLockMessage(older)).toEqual({ ...holder, start: undefined });
  });

  it("a lock taken over meanwhile is not deleted by the run that lost it", () => {
    const { remote, bob } = WrapperRepo.team(text());
    const now = new Date();
    const place = { cwd: bob.repo.dir, remote, ref: lockRefFor(STATE), file: STATE };
    const mine = lockFromElsewhere(bob.repo.dir, remote, now);
    const holder: LockHolder = { user: "dave", host: "dave.example", clone: "/d", pid: 1, command: "nixops deploy", since: now.toISOString() };
    RemoteLock.acquire(place, holder, { staleAfterMs: HOUR, forceUnlock: true, now }, () => undefined);
    const notices: string[] = [];
    mine.release((l) => notices.push(l));
    expect(notices.join("\n")).toContain("is no longer ours");
    expect(WrapperRepo.lockRefs(remote)).toEqual([LOCK_REF]);
  });

  it("refuses, with the server's reason, when the remote takes no refs outside refs/heads (a hook)", () => {
    const { remote, bob } = WrapperRepo.team(text());
    preReceive(remote, `case "$ref" in refs/heads/*) ;; *) exit 1;; esac`);
    const r = bob.run(["deploy", "-d", "dev"]);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain(`on the Git remote origin (it refused ${LOCK_REF}: [remote rejected] (pre-receive hook declined))`);
    expect(bob.entries()).toEqual([]);
  });

  it("says how to delete the lock by hand when the remote refuses to delete it (a hook)", () => {
    const { remote, bob } = WrapperRepo.team(text());
    preReceive(remote, `[ "$new" = ${ZERO} ] && exit 1`);
    const r = bob.run(["deploy", "-d", "dev"]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toContain(`the Git remote origin refused to delete the deploy lock of ${STATE} ([remote rejected] (pre-receive hook declined)); delete it with: git push origin :${LOCK_REF}`);
    expect(WrapperRepo.lockRefs(remote)).toEqual([LOCK_REF]);
  });

  it("names the server's refusal when it will not let a lock be replaced (a hook), and runs nothing", () => {
    const { remote, bob } = WrapperRepo.team(text());
    lockFromElsewhere(bob.repo.dir, remote, new Date());
    preReceive(remote, `[ "$old" != ${ZERO} ] && [ "$new" != ${ZERO} ] && exit 1`);
    const r = bob.run(["deploy", "-d", "dev"], ["--force-unlock"]);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain(`(it refused to replace ${LOCK_REF}: [remote rejected] (pre-receive hook declined))`);
    expect(bob.entries()).toEqual([]);
  });

  it("says in one line that there is no team-wide lock when the repository has no remote, and runs", () => {
    const w = WrapperRepo.create(text());
    const r = w.run(["deploy", "-d", "dev"]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toContain("the repository has no Git remote, so there is no team-wide deploy lock; only this clone is locked");
  });

  it("refuses when the remote cannot be reached, unless --no-remote-lock", () => {
    const { bob } = WrapperRepo.team(text());
    bob.repo.git("remote", "set-url", "origin", "/nonexistent/remote.git");
    const r = bob.run(["deploy", "-d", "dev"]);
    expect(r.status).toBe(2);
    expect(r.stderr.trim().split("\n")).toHaveLength(1);
    expect(r.stderr).toContain(`cannot take the team-wide deploy lock of ${STATE} on the Git remote origin (`);
    expect(r.stderr).toContain("pass --no-remote-lock");
    expect(bob.entries()).toEqual([]);

    const offline = bob.run(["deploy", "-d", "dev"], ["--no-remote-lock"]);
    expect(offline.status, offline.stderr).toBe(0);
    expect(offline.stderr).toContain("--no-remote-lock: no team-wide deploy lock");
  });
});
