// Every command agrees on a conflicted merge of a git-crypt encrypted NixOps file
// (test/view/agreementSuite.ts); and once the repository is locked, or in a clone never
// unlocked, `conflicts` says git-crypt holds the versions and how to unlock them.

import { expect, it } from "vitest";
import { execFileSync, spawnSync } from "node:child_process";
import { join } from "node:path";
import { TempRepo } from "../support/gitRepo";
import { runBin } from "../support/conflictedRepo";
import { HAS_GIT_CRYPT } from "../support/cryptRepo";
import { nixopsScenario } from "../support/scenarios";
import { describeAgreement, type AgreementContext } from "../support/agreementSuite";


const scenario = nixopsScenario("ec2-prod-5machines.export.json", { encrypted: true, file: "prod.nixops.json" });

function expectNamesGitCrypt(repo: TempRepo): void {
  for (const args of [["conflicts"], ["conflicts", "--json"]]) {
    const r = runBin(repo, args);
    expect(r.status, args.join(" ")).not.toBe(0);
    expect(r.stdout + r.stderr).toMatch(/git-crypt/);
    expect(r.stdout + r.stderr).toMatch(/git-crypt unlock/);
  }
}

function lockedChecks(ctx: AgreementContext): void {
  it("locked during the conflicted merge: conflicts names git-crypt and git-crypt unlock, and exits non-zero", () => {
    const copy = new TempRepo(join(ctx.c.scratch, "locked", "repo"));
    execFileSync("mkdir", ["-p", join(ctx.c.scratch, "locked", "home")]);
    execFileSync("cp", ["-r", ctx.c.repo.dir, copy.dir]);
    expect(copy.unmerged()).toEqual([scenario.file]);
    // Mid-merge, git-crypt locks (drops its key and filter) but cannot re-check-out the
    // unmerged file, and says so with exit 1.
    const lock = spawnSync("git-crypt", ["lock", "--force"], { cwd: copy.dir, env: copy.env, encoding: "utf8" });
    expect(lock.status === 0 || /has been locked/.test(lock.stderr), lock.stderr).toBe(true);
    expect(copy.tryGit("config", "--get", "filter.git-crypt.smudge").status).not.toBe(0);
    expectNamesGitCrypt(copy);
  });

  it("a clone never unlocked: the merge keeps ours encrypted, and conflicts names git-crypt unlock", () => {
    const clone = new TempRepo(join(ctx.c.scratch, "clone", "repo"));
    execFileSync("mkdir", ["-p", join(ctx.c.scratch, "clone", "home")]);
    execFileSync("git", ["clone", "-q", "--no-checkout", ctx.c.repo.dir, clone.dir], { env: clone.env, stdio: "pipe" });
    clone.git("checkout", "-q", "-B", "main", "origin/main");
    expect(runBin(clone, ["install"]).status).toBe(0);
    const merge = clone.tryGit("merge", "--no-edit", "origin/theirs");
    expect(merge.status).toBe(1);
    expect(merge.stderr).toMatch(/git-crypt unlock/);
    expectNamesGitCrypt(clone);
  });
}

// Skipped with one line when git-crypt is missing; under CI its absence fails (requireTool).
describeAgreement(scenario, { skip: !HAS_GIT_CRYPT, more: lockedChecks });
