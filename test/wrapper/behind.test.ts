import { describe, expect, it } from "vitest";
import { State } from "../support/fixtures";
import { STATE, WrapperRepo } from "../support/wrapperRun";

const base = () => State.fixture("vbox-none-2machines");

/** alice deploys, commits and pushes; bob has not fetched since. */
function bobBehind() {
  const team = WrapperRepo.team(base().text());
  const { alice } = team;
  const r = alice.run(["deploy", "-d", "dev"], ["--commit"]);
  expect(r.status, r.stderr).toBe(0);
  alice.repo.git("push", "-q");
  return team;
}

describe("a deploy from a branch behind its upstream", () => {
  it("is refused (the upstream is fetched first, with the lock held), nothing runs and the lock is released", () => {
    const { remote, bob } = bobBehind();
    const before = bob.state();
    const r = bob.run(["deploy", "-d", "dev"]);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain("branch main is 1 commit behind origin/main (fetched just now); pull first (git pull --rebase)");
    expect(r.stderr).toContain("or pass --allow-behind");
    expect(bob.entries()).toEqual([]);
    expect(bob.state()).toBe(before);
    expect(WrapperRepo.lockRefs(remote)).toEqual([]);
  });

  it("goes on with --allow-behind, saying so", () => {
    const { bob } = bobBehind();
    const r = bob.run(["deploy", "-d", "dev"], ["--allow-behind"]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toContain("branch main is 1 commit behind origin/main (fetched just now); going on anyway (--allow-behind)");
  });

  it("goes on once bob has pulled", () => {
    const { alice, bob } = bobBehind();
    bob.repo.git("pull", "-q", "--ff-only");
    const r = bob.run(["deploy", "-d", "dev"]);
    expect(r.status, r.stderr).toBe(0);
    expect(bob.state()).toBe(alice.state()); // the same deploy again: the same state
  });

  it("with --no-remote-lock compares with the upstream as last fetched, without the network", () => {
    const { bob } = bobBehind();
    expect(bob.run(["deploy", "-d", "dev"], ["--no-remote-lock"]).status).toBe(0); // not fetched: not known to be behind
    bob.repo.git("reset", "-q", "--hard", "HEAD");
    bob.repo.git("fetch", "-q");
    const r = bob.run(["deploy", "-d", "dev"], ["--no-remote-lock"]);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain("branch main is 1 commit behind origin/main (as last fetched)");
  });

  it("does not stop read-only commands", () => {
    const { bob } = bobBehind();
    for (const command of [["list"], ["info", "-d", "dev"], ["export", "--all"]]) {
      const r = bob.run(command);
      expect(r.status, `${command.join(" ")}: ${r.stderr}`).toBe(0);
      expect(r.stderr).not.toContain("behind");
    }
    expect(bob.repo.git("status", "--porcelain", "--", STATE)).toBe("");
  });
});
