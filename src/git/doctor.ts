// `doctor`: finds the set-ups in which the driver silently does not run, dies, or cannot
// label its conflicts, and files that are already broken. Each check is a function from the
// repository to findings; this file only runs them and decides the exit status.

import { spawnSync } from "node:child_process";
import { BUILT_IN_CHECKS } from "./doctorChecks";
import { EXTRA_DOCTOR_CHECKS } from "./doctorExtraChecks";

export type Severity = "error" | "warning" | "ok";

export interface Finding {
  severity: Severity;
  /** A short name of the check, e.g. "driver-config". */
  check: string;
  message: string;
}

export interface GitRun {
  status: number;
  stdout: string;
  stderr: string;
}

export interface DoctorContext {
  /** The top of the work tree; every path in findings is relative to it. */
  top: string;
  /** Runs a read-only git command at the top of the work tree. */
  git(args: string[], input?: string): GitRun;
  /** [major, minor, patch] of the git on PATH. */
  gitVersion: [number, number, number];
}

export type DoctorCheck = (ctx: DoctorContext) => Finding[];

export interface DoctorResult {
  findings: Finding[];
  exitCode: number;
}

export function gitIn(cwd: string): (args: string[], input?: string) => GitRun {
  return (args, input) => {
    const r = spawnSync("git", args, { cwd, input, encoding: "utf8", stdio: ["pipe", "pipe", "pipe"], maxBuffer: 2 ** 30 });
    if (r.error) throw new Error(`git could not run: ${r.error.message}`);
    return { status: r.status ?? 128, stdout: r.stdout, stderr: r.stderr };
  };
}

export function parseGitVersion(text: string): [number, number, number] | null {
  const m = /(\d+)\.(\d+)(?:\.(\d+))?/.exec(text);
  return m ? [Number(m[1]), Number(m[2]), Number(m[3] ?? 0)] : null;
}

/** Opens the repository containing `cwd` (any subdirectory works). */
export function doctorContext(cwd: string): DoctorContext {
  const here = gitIn(cwd);
  const top = here(["rev-parse", "--show-toplevel"]);
  if (top.status !== 0 || top.stdout.trim() === "") {
    throw new Error(`${cwd} is not inside a Git work tree; run doctor from a clone`);
  }
  const version = parseGitVersion(here(["version"]).stdout);
  if (version === null) throw new Error("cannot tell the version of git on PATH");
  return { top: top.stdout.trim(), git: gitIn(top.stdout.trim()), gitVersion: version };
}

/** Warnings fail only with `strict` (see docs: Git < 2.44 alone is a warning). */
export function runDoctor(ctx: DoctorContext, options: { strict?: boolean } = {}, checks = [...BUILT_IN_CHECKS, ...EXTRA_DOCTOR_CHECKS]): DoctorResult {
  const findings: Finding[] = [];
  for (const check of checks) {
    try {
      findings.push(...check(ctx));
    } catch (e) {
      findings.push({ severity: "error", check: check.name || "check", message: `the check itself failed: ${(e as Error).message}` });
    }
  }
  const failing = findings.some((f) => f.severity === "error" || (options.strict === true && f.severity === "warning"));
  return { findings, exitCode: failing ? 1 : 0 };
}
