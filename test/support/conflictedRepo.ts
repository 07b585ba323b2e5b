// A scenario as a team meets it: a temporary repository with `statefile-merge install` done
// by the built bin, the base committed on main, theirs on a branch, ours on main, and a real
// `git merge` that stops with conflicts. Also the driver run by hand on the index stages.

import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { BIN } from "./fixtures";
import { TempRepo, type GitResult } from "./gitRepo";
import type { AgreementScenario } from "./scenarios";

export interface ConflictedRepo {
  repo: TempRepo;
  scenario: AgreementScenario;
  /** The output of the `git merge` that stopped. */
  merge: GitResult;
  /** The work-tree file as the driver left it, to start each test from. */
  conflicted: string;
  /** A private directory outside the repository for scratch files. */
  scratch: string;
}

/** Runs the built bin in the repository (or `cwd`), returning status and output, failing or not. */
export function runBin(repo: TempRepo, args: string[], cwd = repo.dir): GitResult {
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd, env: repo.env, encoding: "utf8" });
  return { status: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

function gitCrypt(repo: TempRepo, ...args: string[]): string {
  return execFileSync("git-crypt", args, { cwd: repo.dir, env: repo.env, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
}

export function conflictedRepo(scenario: AgreementScenario): ConflictedRepo {
  const repo = TempRepo.create();
  const scratch = mkdtempSync(join(tmpdir(), "statefile-merge-agree-"));
  const install = runBin(repo, ["install", "--attributes"]);
  if (install.status !== 0) throw new Error(`install failed: ${install.stderr}`);
  if (scenario.encrypted) gitCrypt(repo, "init");
  if (scenario.attributes) repo.write(".gitattributes", repo.read(".gitattributes") + scenario.attributes);
  if (scenario.policy !== null) repo.write(".statefile-merge.json", scenario.policy);
  repo.write(scenario.file, scenario.base).commit("base state");
  repo.git("checkout", "-q", "-b", "theirs");
  repo.write(scenario.file, scenario.theirs).commit("their deploy", scenario.file);
  repo.git("checkout", "-q", "main");
  repo.write(scenario.file, scenario.ours).commit("our deploy", scenario.file);
  const merge = repo.tryGit("merge", "--no-edit", "theirs");
  return { repo, scenario, merge, conflicted: repo.read(scenario.file), scratch };
}

/** Back to the file as the merge left it (the index stages stay as Git wrote them). */
export function restoreConflicted(c: ConflictedRepo): void {
  c.repo.write(c.scenario.file, c.conflicted);
}

/** An index stage (1 base, 2 ours, 3 theirs) as Git stores it, and as the work tree has it (through filters). */
export function stage(c: ConflictedRepo, n: 1 | 2 | 3, form: "stored" | "plain"): Buffer {
  const spec = `:${n}:${c.scenario.file}`;
  const args = form === "stored" ? ["cat-file", "blob", spec] : ["cat-file", "--filters", spec];
  return execFileSync("git", args, { cwd: c.repo.dir, env: c.repo.env, maxBuffer: 1 << 28 });
}

export interface DriverRun {
  status: number;
  stderr: string;
  stdout: string;
  report: string;
}

/**
 * The driver run by hand the way Git runs it: at the top of the work tree, on the three stages
 * as stored (ciphertext under git-crypt) in files beside the work tree's own, with --report-json.
 */
export function driverOnStages(c: ConflictedRepo): DriverRun {
  const inputs = ["O", "A", "B"].map((x) => join(c.repo.dir, `.merge_file_agree_${x}`));
  const report = join(c.scratch, "report.json");
  ([1, 2, 3] as const).forEach((n, i) => writeFileSync(inputs[i], stage(c, n, "stored")));
  rmSync(report, { force: true });
  try {
    const r = runBin(c.repo, ["merge", ...inputs, "-p", c.scenario.file, "-l", "7", "-x", "HEAD", "-y", "theirs", "-s", "base", "--report-json", report]);
    return { ...r, report: readFileSync(report, "utf8") };
  } finally {
    for (const f of inputs) rmSync(f, { force: true });
  }
}

export function removeConflictedRepo(c: ConflictedRepo | undefined): void {
  if (!c) return;
  rmSync(join(c.repo.dir, ".."), { recursive: true, force: true });
  rmSync(c.scratch, { recursive: true, force: true });
}
