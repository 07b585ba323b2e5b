// A state file that changes while nixops runs (a teammate's change pulled meanwhile) is never
// overwritten by the export: the run's state is saved aside, the command to merge it is said,
// and nothing is committed. The stand-in's FAKE_NIXOPS_DURING plays the pull.

import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { spawnSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { BIN, State, fixtureText } from "../support/fixtures";
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
    const advice = /merge it in with statefile-merge merge (\S+) (\S+) (\S+), then delete (\S+)$/m.exec(r.stderr);
    expect(advice, r.stderr).not.toBeNull();
    expect(r.stderr).toContain(`${STATE} changed while nixops ran (a git pull, or an edit), so it is not overwritten`);
    // Following the advice merges the run's deploy with the teammate's change.
    const [, base, ours, theirs] = advice!;
    const merged = spawnSync(process.execPath, [BIN, "merge", base, ours, theirs], { cwd: w.repo.dir, env: w.env, encoding: "utf8" });
    expect(merged.status, merged.stderr).toBe(0);
    expect(w.state()).toContain('"privateIpv4": "10.9.9.9"');
    expect(w.state()).toContain(`/nix/store/0123456789abcdfghijklmnpqrsvwxyz-nixos-system-db`);
  });

  it("the control: unchanged meanwhile, the export is written and committed", () => {
    const w = WrapperRepo.create(fixtureText(FIXTURE));
    const r = w.run(["deploy", "-d", "dev"], ["--commit"]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toContain(`committed ${STATE}`);
  });
});
