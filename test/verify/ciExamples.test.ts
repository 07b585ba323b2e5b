// The CI examples, run as CI runs them: the commands are read out of examples/ci (not copied
// here), run by bash in a fresh clone without the driver configured, with `statefile-merge`
// on PATH. A pull request whose forge merge would stitch two machines fails before the merge
// button; after the forge merges it anyway, the push check fails; a right one passes both.

import { spawnSync } from "node:child_process";
import { chmodSync, mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { BIN, State } from "../support/fixtures";
import { TempRepo } from "../support/gitRepo";
import { forgeMerge } from "../support/forgeMerge";
import { conditionHolds, githubExpressions, githubRunSteps, gitlabJobScripts, type CiCommand } from "../support/ciExamples";
import { cli } from "../support/review";

const FILE = "prod.nixops.json";
/** The install step: statefile-merge from where the team keeps it (a variable the team sets), never the public registry, which has no such package. */
const INSTALL = /^npm install --global "\$\{STATEFILE_MERGE_PACKAGE:\?[^}]+\}"$/;

/** A directory holding a `statefile-merge` that runs the built bin, for PATH. */
function shimDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "statefile-merge-shim-"));
  const shim = join(dir, "statefile-merge");
  writeFileSync(shim, `#!/bin/sh\nexec "${process.execPath}" "${BIN}" "$@"\n`);
  chmodSync(shim, 0o755);
  return dir;
}
const SHIM = shimDir();

/** The team's repository (driver installed there), Bob's branch, and Alice's change on main. */
function origin(alice: State): TempRepo {
  const repo = TempRepo.create();
  expect(cli(repo, "install", "--attributes").status).toBe(0);
  repo.write(FILE, State.fixture("ec2-prod-5machines").text()).commit("Deploy prod");
  repo.git("checkout", "-q", "-b", "bob");
  repo.write(FILE, State.fixture("ec2-prod-after-teammate-deploy").text()).commit("Bob deploys prod", FILE);
  repo.git("checkout", "-q", "main");
  repo.write(FILE, alice.text()).commit("Alice deploys prod", FILE);
  return repo;
}

/** A CI checkout: a fresh clone (no driver in its config) at `rev`. */
function checkout(from: TempRepo, rev: string): TempRepo {
  const ci = new TempRepo(join(mkdtempSync(join(tmpdir(), "statefile-merge-ci-")), "checkout"));
  mkdirSync(ci.dir);
  ci.git("clone", "-q", "--no-local", from.dir, ".");
  ci.git("checkout", "-q", "--detach", rev);
  return ci;
}

interface Run {
  command: string;
  status: number;
  output: string;
}

/** Runs the commands whose condition holds, in order, stopping at the first failure (as CI does). */
function runCommands(ci: TempRepo, commands: CiCommand[], holds: (c: CiCommand) => boolean, env: Record<string, string>): Run[] {
  const runs: Run[] = [];
  for (const c of commands.filter(holds)) {
    if (INSTALL.test(c.command)) continue; // PATH holds the built bin instead
    const r = spawnSync("bash", ["-c", c.command], { cwd: ci.dir, env: { ...ci.env, ...env, ...c.env, PATH: `${SHIM}:${process.env.PATH}` }, encoding: "utf8" });
    runs.push({ command: c.command, status: r.status ?? -1, output: r.stdout + r.stderr });
    if (r.status !== 0) break;
  }
  return runs;
}

function github(ci: TempRepo, event: "pull_request" | "push", context: Record<string, string>): Run[] {
  const all = githubRunSteps();
  expect(all.filter((s) => INSTALL.test(s.command))).toHaveLength(1);
  // GitHub evaluates a step's expressions only when the step runs.
  const steps = all
    .filter((s) => s.condition === null || conditionHolds(s.condition, { "github.event_name": event }))
    .map((s) => ({ ...s, env: Object.fromEntries(Object.entries(s.env).map(([k, v]) => [k, githubExpressions(v, { "vars.STATEFILE_MERGE_PACKAGE": "", ...context })])) }));
  return runCommands(ci, steps, () => true, {});
}

function gitlab(ci: TempRepo, variables: Record<string, string>): Run[] {
  const commands = gitlabJobScripts();
  expect(commands.filter((c) => INSTALL.test(c.command))).toHaveLength(1);
  return runCommands(ci, commands, (c) => c.condition !== "template" && c.condition !== null && conditionHolds(c.condition, variables), variables);
}

const verifyRuns = (runs: Run[]) => runs.filter((r) => r.command.startsWith("statefile-merge verify"));

describe("examples/ci, run as CI runs them", () => {
  it("a pull request the forge would merge wrongly fails before the button, and the forge's merge fails after", () => {
    const repo = origin(State.fixture("ec2-prod-5machines").set("prod", "app2", "ec2.instanceType", "m5.xlarge"));
    const head = repo.git("rev-parse", "bob").trim();

    const prGithub = github(checkout(repo, head), "pull_request", { "github.base_ref": "main", "github.event.pull_request.head.sha": head });
    expect(verifyRuns(prGithub).map((r) => [r.command, r.status])).toEqual([['statefile-merge verify --pr "$TARGET" "$HEAD_SHA"', 1]]);
    expect(prGithub[prGithub.length - 1].output).toMatch(/the forge would merge this cleanly but wrongly \(stitched app2\)/);

    const mrGitlab = gitlab(checkout(repo, head), { CI_PIPELINE_SOURCE: "merge_request_event", CI_MERGE_REQUEST_TARGET_BRANCH_NAME: "main", CI_COMMIT_SHA: head, CI_COMMIT_BRANCH: "", CI_DEFAULT_BRANCH: "main" });
    expect(mrGitlab.map((r) => r.status)).toEqual([0, 1]); // the fetch, then verify --pr
    expect(mrGitlab[1].output).toMatch(/stitched app2/);

    forgeMerge(repo, "bob");
    const main = repo.git("rev-parse", "main").trim();
    const pushGithub = github(checkout(repo, main), "push", {});
    expect(verifyRuns(pushGithub).map((r) => [r.command, r.status])).toEqual([["statefile-merge verify", 1]]);
    expect(pushGithub[0].output).toMatch(/resource app2: stitched/);
    const pushGitlab = gitlab(checkout(repo, main), { CI_PIPELINE_SOURCE: "push", CI_COMMIT_BRANCH: "main", CI_DEFAULT_BRANCH: "main", CI_COMMIT_SHA: main });
    expect(pushGitlab.map((r) => [r.command, r.status])).toEqual([["statefile-merge verify", 1]]);
  });

  it("a pull request the forge merges right passes before, and the merge passes after", () => {
    const repo = origin(State.fixture("ec2-prod-5machines").set("prod", "db1", "ec2.instanceType", "r5.large"));
    const head = repo.git("rev-parse", "bob").trim();
    const prGithub = github(checkout(repo, head), "pull_request", { "github.base_ref": "main", "github.event.pull_request.head.sha": head });
    expect(verifyRuns(prGithub).map((r) => r.status)).toEqual([0]);
    const mrGitlab = gitlab(checkout(repo, head), { CI_PIPELINE_SOURCE: "merge_request_event", CI_MERGE_REQUEST_TARGET_BRANCH_NAME: "main", CI_COMMIT_SHA: head, CI_COMMIT_BRANCH: "", CI_DEFAULT_BRANCH: "main" });
    expect(mrGitlab.map((r) => r.status)).toEqual([0, 0]);

    forgeMerge(repo, "bob");
    const main = repo.git("rev-parse", "main").trim();
    expect(verifyRuns(github(checkout(repo, main), "push", {})).map((r) => r.status)).toEqual([0]);
    expect(gitlab(checkout(repo, main), { CI_PIPELINE_SOURCE: "push", CI_COMMIT_BRANCH: "main", CI_DEFAULT_BRANCH: "main", CI_COMMIT_SHA: main }).map((r) => r.status)).toEqual([0]);
  });
});

describe("the CI examples' install step", () => {
  it("stops with what to set when the team has not said where its statefile-merge is, before npm runs", () => {
    const steps = [...githubRunSteps(), ...gitlabJobScripts()].filter((c) => INSTALL.test(c.command));
    expect(steps).toHaveLength(2);
    for (const step of steps) {
      const r = spawnSync("bash", ["--norc", "--noprofile", "-c", step.command], { env: { PATH: process.env.PATH }, encoding: "utf8" });
      expect(r.status).not.toBe(0);
      expect(r.stdout).toBe("");
      // The shell's own refusal, nothing from npm.
      expect(r.stderr.trim()).toMatch(/^bash: line \d+: STATEFILE_MERGE_PACKAGE: set STATEFILE_MERGE_PACKAGE to where your team keeps statefile-merge \(an npm pack tarball, or a git\+https URL with a tag\)$/);
    }
  });
});
