// `--push`: the state commit reaches the remote before the team-wide deploy lock is released,
// so a teammate's next deploy starts from it; a push that fails keeps the lock, saying how to
// finish; without an upstream to push to, nixops does not run at all.

import { describe, expect, it } from "vitest";
import { execFileSync } from "node:child_process";
import { rmSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { State } from "../support/fixtures";
import { STATE, WrapperRepo, deployed } from "../support/wrapperRun";
import { runBin } from "../support/conflictedRepo";

const FIXTURE = "vbox-none-2machines";
const LOCK_REF = `refs/statefile-merge/lock/${STATE}`;
/** A pre-receive hook that refuses branch pushes (the lock ref is not a branch). */
const FROZEN = `#!/bin/sh\nwhile read old new ref; do case "$ref" in refs/heads/*) echo "branch pushes are frozen" >&2; exit 1;; esac; done\nexit 0\n`;

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
    writeFileSync(hook, FROZEN, { mode: 0o755 });
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
    expect(again.stderr).toContain("wrote its state with --push but it is not pushed");
    expect(alice.entries().filter((e) => e.event === "start").map((e) => e.command)).toEqual(["import", "deploy", "export"]);

    // Pushed by hand as said: the next run goes on, takes the lock over and releases it.
    rmSync(hook);
    alice.repo.git("push", "-q", "origin", "HEAD:refs/heads/main");
    const after = alice.run(["deploy", "-d", "dev", "--include", "web"], ["--push"]);
    expect(after.status, after.stderr).toBe(0);
    expect(WrapperRepo.lockRefs(remote)).toEqual([]);
  });

  it("judges the state pushed by what the upstream holds, not by the branch checked out now or edits made since", () => {
    const { remote, alice, bob } = WrapperRepo.team(State.fixture(FIXTURE).text());
    const hook = join(remote, "hooks", "pre-receive");
    writeFileSync(hook, FROZEN, { mode: 0o755 });
    expect(alice.run(["deploy", "-d", "dev", "--include", "web"], ["--push"]).status).toBe(1);
    rmSync(hook);
    // Another branch checked out, tracking the upstream: the state is still not there.
    alice.repo.git("switch", "-q", "-c", "hotfix", "--track", "origin/main");
    expect(bob.run(["deploy", "-d", "dev"]).status).toBe(2);
    expect(alice.run(["info", "-d", "dev"]).status).toBe(2);
    // Pushed from the branch that holds it; an edit of the file afterwards changes nothing.
    alice.repo.git("push", "-q", "origin", "main:refs/heads/main");
    alice.repo.git("fetch", "-q", "origin");
    alice.repo.write(STATE, alice.state() + "\n");
    expect(alice.run(["info", "-d", "dev"]).status).toBe(0);
    bob.repo.git("pull", "-q", "--ff-only");
    expect(bob.run(["deploy", "-d", "dev", "--include", "web"]).status).toBe(0);
  });

  it("an older state the upstream held before does not count as pushed (a rollback to it)", () => {
    const { remote, alice, bob } = WrapperRepo.team(State.fixture(FIXTURE).text());
    for (const x of ["1", "2"]) expect(alice.run(["set-args", "-d", "dev", "--arg", "x", x], ["--push"]).status).toBe(0);
    writeFileSync(join(remote, "hooks", "pre-receive"), FROZEN, { mode: 0o755 });
    expect(alice.run(["set-args", "-d", "dev", "--arg", "x", "1"], ["--push"]).status).toBe(1);
    bob.repo.git("pull", "-q", "--ff-only");
    expect(bob.run(["deploy", "-d", "dev"]).status).toBe(2);
    expect(alice.run(["info", "-d", "dev"]).status).toBe(2);
    expect(WrapperRepo.lockRefs(remote)).toEqual([LOCK_REF]);
  });

  it("a push refused because a teammate pushed meanwhile: after git pull --rebase (the driver merges both states) and a push, the next run goes on", () => {
    const { remote, alice, bob } = WrapperRepo.team(State.fixture(FIXTURE).text());
    expect(runBin(alice.repo, ["install"]).status).toBe(0);
    // Bob's change to db lands on the remote while alice's nixops runs (pushed by hand, not through the wrapper).
    const bobDeploys = [
      `cd '${bob.repo.dir}'`,
      `node -e 'const fs=require("fs");fs.writeFileSync("${STATE}",fs.readFileSync("${STATE}","utf8").replace(/"privateIpv4": "[^"]*"/,"\\"privateIpv4\\": \\"10.9.9.9\\""))'`,
      `git commit -qam "bob: db moved"`,
      `git push -q`,
    ].join(" && ");
    const r = alice.run(["deploy", "-d", "dev", "--include", "web"], ["--push"], { FAKE_NIXOPS_DURING: bobDeploys });
    expect(r.status).toBe(1);
    expect(r.stderr).toContain("could not push the commit of");
    expect(alice.repo.tryGit("pull", "-q", "--rebase").status).toBe(0);
    expect(alice.state()).toContain('"privateIpv4": "10.9.9.9"');
    alice.repo.git("push", "-q");
    const after = alice.run(["info", "-d", "dev"]);
    expect(after.status, after.stderr).toBe(0);
    bob.repo.git("pull", "-q", "--ff-only");
    expect(bob.run(["deploy", "-d", "dev", "--include", "web"]).status).toBe(0);
    expect(WrapperRepo.lockRefs(remote)).toEqual([]);
  });

  it("follows a state file that is a symbolic link to the file it commits", () => {
    const { remote, alice, bob } = WrapperRepo.team(State.fixture(FIXTURE).text());
    alice.repo.git("mv", STATE, "real.nixops.json");
    symlinkSync("real.nixops.json", join(alice.repo.dir, STATE));
    alice.repo.commit("the state file behind a link");
    alice.repo.git("push", "-q");
    bob.repo.git("pull", "-q", "--ff-only");
    writeFileSync(join(remote, "hooks", "pre-receive"), FROZEN, { mode: 0o755 });
    expect(alice.run(["deploy", "-d", "dev", "--include", "web"], ["--push"]).status).toBe(1);
    const r = bob.run(["deploy", "-d", "dev"]);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain("not pushed yet");
  });

  it("refuses a new state file that Git ignores before nixops runs", () => {
    const { alice } = WrapperRepo.team(State.fixture(FIXTURE).text());
    alice.repo.write(".gitignore", "fresh.nixops.json\n").commit("ignore");
    alice.repo.git("push", "-q");
    const r = alice.run(["create", "-d", "fresh"], ["--push"], {}, { state: "fresh.nixops.json" });
    expect(r.status).toBe(2);
    expect(r.stderr).toContain("fresh.nixops.json is ignored by Git");
    expect(alice.entries()).toEqual([]);
  });

  it("a --push run whose state was kept (the file changed meanwhile): recover merges it in and the locks then wait for the push", () => {
    const { remote, alice, bob } = WrapperRepo.team(State.fixture(FIXTURE).text());
    const r = alice.run(["deploy", "-d", "dev", "--include", "web"], ["--push"], { FAKE_NIXOPS_DURING: `printf '\\n' >> '${join(alice.repo.dir, STATE)}'` });
    expect(r.status).toBe(1);
    const recovered = alice.runPrintedRecover(r.stderr, { FAKE_NIXOPS_DURING: "" });
    expect(recovered?.status, recovered?.stderr ?? r.stderr).toBe(0);
    expect(recovered?.stderr).toContain("the run was started with --push: commit");
    expect(WrapperRepo.lockRefs(remote)).toEqual([LOCK_REF]);
    expect(bob.run(["deploy", "-d", "dev"]).status).toBe(2);
    alice.repo.commit("the recovered state", STATE);
    alice.repo.git("push", "-q");
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
