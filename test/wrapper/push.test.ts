// `--push`: the state commit reaches the remote before the team-wide deploy lock is released,
// so a teammate's next deploy starts from it; a push that fails keeps the lock, saying how to
// finish; without an upstream to push to, nixops does not run at all.

import { describe, expect, it } from "vitest";
import { execFileSync } from "node:child_process";
import { rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { State } from "../support/fixtures";
import { STATE, WrapperRepo, deployed } from "../support/wrapperRun";

const FIXTURE = "vbox-none-2machines";
const LOCK_REF = `refs/statefile-merge/lock/${STATE}`;

/** The remote's main branch, as a teammate would fetch it. */
function remoteState(remote: string): string {
  return execFileSync("git", ["--git-dir", remote, "show", `main:${STATE}`], { encoding: "utf8" });
}

describe("statefile-merge nixops --push", () => {
  it("pushes the state commit before the lock is released, so a teammate's next deploy starts from it", () => {
    const { remote, alice, bob } = WrapperRepo.team(State.fixture(FIXTURE).text());
    const r = alice.run(["deploy", "-d", "dev", "--include", "web"], ["--push"]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toContain(`committed ${STATE}`);
    expect(r.stderr).toContain(`pushed the commit of ${STATE} to its upstream`);
    const expected = deployed(State.fixture(FIXTURE), "dev", "web").text();
    expect(remoteState(remote)).toBe(expected);
    expect(WrapperRepo.lockRefs(remote)).toEqual([]);
    // Bob, behind now, is told to pull; after the pull he deploys from alice's state.
    expect(bob.run(["deploy", "-d", "dev"]).status).toBe(2);
    bob.repo.git("pull", "-q", "--ff-only");
    expect(bob.state()).toBe(expected);
  });

  it("keeps both locks when the push fails: the next run here, and a teammate's on this host, wait until the state is pushed", () => {
    const { remote, alice, bob } = WrapperRepo.team(State.fixture(FIXTURE).text());
    // The remote refuses branch pushes for now (the lock ref is not a branch).
    const hook = join(remote, "hooks", "pre-receive");
    writeFileSync(hook, `#!/bin/sh\nwhile read old new ref; do case "$ref" in refs/heads/*) echo "branch pushes are frozen" >&2; exit 1;; esac; done\nexit 0\n`, { mode: 0o755 });
    const r = alice.run(["deploy", "-d", "dev", "--include", "web"], ["--push"]);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain(`committed ${STATE}`);
    expect(r.stderr).toContain(`could not push the commit of ${STATE} ([remote rejected] (pre-receive hook declined))`);
    expect(r.stderr).toContain(`holds this run's state but it is not pushed: commit ${STATE} if it is not, then push it (git push origin HEAD:refs/heads/main; git pull --rebase first if it is refused)`);
    expect(r.stderr).toContain(`git push origin :${LOCK_REF} releases it by hand`);
    expect(WrapperRepo.lockRefs(remote)).toEqual([LOCK_REF]);
    expect(remoteState(remote)).toBe(State.fixture(FIXTURE).text());

    const teammate = bob.run(["deploy", "-d", "dev"]);
    expect(teammate.status).toBe(2);
    expect(teammate.stderr).toContain("the state it wrote with --push is not pushed yet");
    const again = alice.run(["deploy", "-d", "dev"]);
    expect(again.status).toBe(2);
    expect(again.stderr).toContain("wrote it with --push but could not push it");
    expect(alice.entries().filter((e) => e.event === "start").map((e) => e.command)).toEqual(["import", "deploy", "export"]);

    // Pushed by hand as said: the next run goes on, takes the lock over and releases it.
    rmSync(hook);
    alice.repo.git("push", "-q", "origin", "HEAD:refs/heads/main");
    const after = alice.run(["deploy", "-d", "dev", "--include", "web"], ["--push"]);
    expect(after.status, after.stderr).toBe(0);
    expect(WrapperRepo.lockRefs(remote)).toEqual([]);
  });

  it("keeps both locks when a --push run is interrupted after writing the file (nothing committed)", async () => {
    const { remote, alice } = WrapperRepo.team(State.fixture(FIXTURE).text());
    const first = alice.start(["sleep", "30", "-d", "dev"], ["--push"]);
    await alice.waitFor("sleeping");
    process.kill(-(first.child.pid as number), "SIGINT");
    const r = await first.done;
    expect(r.status).toBe(130);
    expect(r.stderr).toContain("written but not committed");
    expect(r.stderr).toContain(`holds this run's state but it is not pushed: commit ${STATE} if it is not`);
    expect(WrapperRepo.lockRefs(remote)).toEqual([LOCK_REF]);
    expect(alice.run(["deploy", "-d", "dev"]).status).toBe(2);
  });

  it("refuses before nixops runs when the branch has commits its upstream lacks (the push would take them along)", () => {
    const { alice } = WrapperRepo.team(State.fixture(FIXTURE).text());
    alice.repo.write("notes.txt", "WIP: do not push\n").commit("WIP");
    const r = alice.run(["deploy", "-d", "dev"], ["--push"]);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain("--push cannot push: the branch has 1 commit its upstream lacks, which the push would take along; push it first; nixops was not run");
    expect(alice.entries()).toEqual([]);
  });

  it("refuses on a detached HEAD, saying to check out a branch", () => {
    const { alice } = WrapperRepo.team(State.fixture(FIXTURE).text());
    alice.repo.git("checkout", "-q", "--detach");
    const r = alice.run(["deploy", "-d", "dev"], ["--push"]);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain("--push cannot push: HEAD is detached; check out a branch (git switch BRANCH)");
  });

  it("refuses before nixops runs when the branch tracks no remote branch", () => {
    const w = WrapperRepo.create(State.fixture(FIXTURE).text());
    const r = w.run(["deploy", "-d", "dev"], ["--push"]);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain("--push cannot push: the branch tracks no branch of a remote; set one (git branch -u REMOTE/BRANCH); nixops was not run");
    expect(w.entries()).toEqual([]);
  });

  it("commits as --commit does, and pushes nothing when nothing changed", () => {
    const { remote, alice } = WrapperRepo.team(State.fixture(FIXTURE).text());
    const head = execFileSync("git", ["--git-dir", remote, "rev-parse", "main"], { encoding: "utf8" });
    const r = alice.run(["info", "-d", "dev"], ["--push"]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).not.toContain("pushed");
    expect(execFileSync("git", ["--git-dir", remote, "rev-parse", "main"], { encoding: "utf8" })).toBe(head);
  });
});
