// `--push`: the state commit reaches the remote before the team-wide deploy lock is released,
// so a teammate's next deploy starts from it; a push that fails keeps the lock, saying how to
// finish; without an upstream to push to, nixops does not run at all.

import { describe, expect, it } from "vitest";
import { execFileSync } from "node:child_process";
import { writeFileSync } from "node:fs";
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

  it("keeps the lock when the push fails, naming the command that releases it once the commit is pushed", () => {
    const { remote, alice } = WrapperRepo.team(State.fixture(FIXTURE).text());
    // The remote refuses branch pushes (the lock ref is not a branch).
    writeFileSync(join(remote, "hooks", "pre-receive"), `#!/bin/sh\nwhile read old new ref; do case "$ref" in refs/heads/*) echo "branch pushes are frozen" >&2; exit 1;; esac; done\nexit 0\n`, { mode: 0o755 });
    const r = alice.run(["deploy", "-d", "dev", "--include", "web"], ["--push"]);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain(`committed ${STATE}`);
    expect(r.stderr).toContain(`could not push the commit of ${STATE}`);
    expect(r.stderr).toContain(`once it is pushed, git push origin :${LOCK_REF} releases it`);
    expect(WrapperRepo.lockRefs(remote)).toEqual([LOCK_REF]);
    expect(remoteState(remote)).toBe(State.fixture(FIXTURE).text());
  });

  it("refuses before nixops runs when the branch tracks no remote branch", () => {
    const w = WrapperRepo.create(State.fixture(FIXTURE).text());
    const r = w.run(["deploy", "-d", "dev"], ["--push"]);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain("--push needs prod.nixops.json in a branch that tracks a branch of a remote");
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
