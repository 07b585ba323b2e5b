// A state file that changes while nixops runs (a teammate's change pulled meanwhile) is never
// overwritten by the export: the run's state is saved aside, the one command that merges it in
// (statefile-merge recover) is said, and nothing is committed. The stand-in's FAKE_NIXOPS_DURING plays the pull.

import { realpathSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { State, fixtureText } from "../support/fixtures";
import { STATE, WrapperRepo } from "../support/wrapperRun";

const FIXTURE = "vbox-none-2machines";

describe("the state file changed while nixops ran", () => {
  it("is not overwritten or committed; the run's state is saved, and merging it as said keeps both", () => {
    const w = WrapperRepo.create(fixtureText(FIXTURE));
    const pulled = State.fixture(FIXTURE).set("dev", "db", "privateIpv4", "10.9.9.9").text();
    const pulledFile = join(w.repo.dir, "..", "pulled.json");
    writeFileSync(pulledFile, pulled);
    const head = w.repo.git("rev-parse", "HEAD");
    const r = w.run(["deploy", "-d", "dev"], ["--commit"], { FAKE_NIXOPS_DURING: `cp '${pulledFile}' '${join(w.repo.dir, STATE)}'` });
    expect(r.status).toBe(1);
    expect(w.state()).toBe(pulled);
    expect(w.repo.git("rev-parse", "HEAD")).toBe(head);
    expect(r.stderr).toContain(`${STATE} changed while nixops ran (a git pull, or an edit), so it is not overwritten`);
    // The next run repeats what to do; following it merges the run's deploy with the teammate's change.
    const next = w.run(["deploy", "-d", "dev"]);
    expect(next.status).toBe(2);
    expect(next.stderr).toContain(`statefile-merge recover --state ${join(realpathSync(w.repo.dir), STATE)}`);
    const recovered = w.runPrintedRecover(r.stderr, { FAKE_NIXOPS_BREAK_EXPORT: "1" }); // the saved export is used: nixops is not asked again
    expect(recovered?.status, recovered?.stderr ?? r.stderr).toBe(0);
    expect(w.state()).toContain('"privateIpv4": "10.9.9.9"');
    expect(w.state()).toContain(`/nix/store/0123456789abcdfghijklmnpqrsvwxyz-nixos-system-db`);
    expect(w.run(["deploy", "-d", "dev"]).status).toBe(0);
  });

  it("the control: unchanged meanwhile, the export is written and committed", () => {
    const w = WrapperRepo.create(fixtureText(FIXTURE));
    const r = w.run(["deploy", "-d", "dev"], ["--commit"]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toContain(`committed ${STATE}`);
  });
});
