// `statefile-merge doctor` against real repositories, each broken one way.

import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TempRepo } from "../support/gitRepo";
import { fixtureText } from "../support/fixtures";
import { buildFixtureRepo, copyRepo, gitAtLeast, oursDeploy, removeCopies, runBin, stateWith, theirsDeploy, branchWith, commitOnMain } from "../flows/flowRepo";
import { doctorContext, runDoctor, type DoctorContext, type DoctorCheck } from "../../src/doctor/doctor";
import { checkGitVersion } from "../../src/doctor/doctorChecks";
import { EXTRA_DOCTOR_CHECKS } from "../../src/doctor/doctorExtraChecks";

let fixture: TempRepo;
beforeAll(() => {
  fixture = buildFixtureRepo();
});
afterAll(() => removeCopies(fixture));

const errors = (out: string) => out.split("\n").filter((l) => l.startsWith("error: "));

function doctor(repo: TempRepo, ...args: string[]) {
  return runBin(repo, ["doctor", ...args], join(repo.dir, "sub"));
}

function fresh(): TempRepo {
  const repo = copyRepo(fixture);
  repo.write("sub/notes.txt", "a subdirectory to run doctor from\n").commit("notes");
  return repo;
}

describe("doctor", () => {
  it("a clone set up by install: no errors, from a subdirectory", () => {
    const repo = fresh();
    const r = doctor(repo);
    expect(errors(r.stdout)).toEqual([]);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/ok: \[driver-runs\] merge.statefile.driver runs/);
    expect(r.stdout).toMatch(/ok: \[driver-runs\] merge.statefile-virtual.driver runs/);
  });

  it("Git older than 2.44 is a warning; it fails only with --strict", () => {
    const repo = fresh();
    const plain = doctor(repo);
    const strict = doctor(repo, "--strict");
    if (gitAtLeast(repo, 2, 44)) {
      expect(plain.stdout).not.toMatch(/warning: \[git-version\]/);
      expect(strict.status).toBe(0);
    } else {
      expect(plain.stdout).toMatch(/warning: \[git-version\] git 2\.\d+\.\d+ is older than 2\.44: conflict labels reach the driver as a literal %S/);
      expect(plain.status).toBe(0);
      expect(strict.status).toBe(1);
    }
  });

  it("the version check itself, for Git on either side of 2.44", () => {
    const ctx = (v: [number, number, number]) => ({ gitVersion: v }) as DoctorContext;
    expect(checkGitVersion(ctx([2, 39, 5]))[0].severity).toBe("warning");
    expect(checkGitVersion(ctx([2, 43, 9]))[0].severity).toBe("warning");
    expect(checkGitVersion(ctx([2, 44, 0]))[0].severity).toBe("ok");
    expect(checkGitVersion(ctx([3, 0, 0]))[0].severity).toBe("ok");
  });

  it("an attribute naming statefile with no driver configured (Git would silently line-merge)", () => {
    const repo = fresh();
    for (const key of ["merge.statefile", "merge.statefile-virtual", "diff.statefile"]) repo.git("config", "--remove-section", key);
    const r = doctor(repo);
    expect(r.status).toBe(1);
    expect(errors(r.stdout).join("\n")).toMatch(/\.gitattributes:2 marks \*\.nixops\.json merge=statefile, but merge\.statefile\.driver is not configured.*silently/);
  });

  it("name without driver (Git would die)", () => {
    const repo = fresh();
    repo.git("config", "--unset", "merge.statefile.driver");
    const r = doctor(repo);
    expect(r.status).toBe(1);
    expect(errors(r.stdout).join("\n")).toMatch(/merge\.statefile\.name is set but merge\.statefile\.driver is not/);
  });

  it("a driver command that does not run", () => {
    const repo = fresh();
    const installed = repo.git("config", "merge.statefile.driver").trim();
    repo.git("config", "merge.statefile.driver", installed.replace(/^'[^']*'/, "'/nonexistent/node'"));
    const r = doctor(repo);
    expect(r.status).toBe(1);
    expect(errors(r.stdout).join("\n")).toMatch(/merge\.statefile\.driver does not work: it exited with status 127/);
  });

  it("a driver that prints on stdout, and one that does not merge", () => {
    const repo = fresh();
    const installed = repo.git("config", "merge.statefile.driver").trim();
    repo.git("config", "merge.statefile.driver", `echo noise; ${installed}`);
    expect(errors(doctor(repo).stdout).join("\n")).toMatch(/printed on standard output \(noise\)/);
    repo.git("config", "merge.statefile.driver", "git merge-file %A %O %B");
    expect(errors(doctor(repo).stdout).join("\n")).toMatch(/merge\.statefile\.driver does not work: it exited with status 1/);
  });

  it("a tracked NixOps export that no attribute covers", () => {
    const repo = fresh();
    repo.write("deploy/state.json", fixtureText("hetzner-hcloud-multitenant")).commit("state under another name");
    const r = doctor(repo);
    expect(r.status).toBe(1);
    expect(errors(r.stdout)).toEqual([expect.stringMatching(/^error: \[coverage\] deploy\/state\.json looks like a NixOps export but its merge attribute is unspecified/)]);
  });

  it("a committed file holding conflict markers, and one in an unfinished merge", () => {
    const repo = fresh();
    branchWith(repo, "topic", stateWith(theirsDeploy), "theirs");
    commitOnMain(repo, stateWith(oursDeploy), "ours");
    expect(repo.tryGit("merge", "topic").status).toBe(1);
    const during = doctor(repo);
    expect(during.status).toBe(1);
    expect(errors(during.stdout).join("\n")).toMatch(/prod\.nixops\.json is still in conflict \(markers from line \d+\)/);
    repo.git("commit", "-qam", "committed with markers");
    const after = doctor(repo);
    expect(after.status).toBe(1);
    expect(errors(after.stdout).join("\n")).toMatch(/prod\.nixops\.json holds conflict markers \(line \d+\) but is not in conflict/);
  });

  it("refuses outside a repository", () => {
    const repo = fresh();
    const r = runBin(repo, ["doctor"], join(repo.dir, "..", "home"));
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/not inside a Git work tree/);
  });

  it("runs the checks added at the hook point (the policy file's, for one)", () => {
    const repo = fresh();
    const extra: DoctorCheck = (ctx) => [{ severity: "error", check: "policy", message: `bad policy in ${ctx.top}` }];
    EXTRA_DOCTOR_CHECKS.push(extra);
    try {
      const ctx = doctorContext(join(repo.dir, "sub"));
      const result = runDoctor(ctx);
      expect(result.findings).toContainEqual({ severity: "error", check: "policy", message: `bad policy in ${repo.dir}` });
      expect(result.exitCode).toBe(1);
    } finally {
      EXTRA_DOCTOR_CHECKS.splice(EXTRA_DOCTOR_CHECKS.indexOf(extra), 1);
    }
  });
});
