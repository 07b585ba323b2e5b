// `doctor`: finds the set-ups in which the driver silently does not run, dies, or cannot
// label its conflicts, and files that are already broken. Each check is a function from the
// repository to findings; this file only runs them and decides the exit status.

import { BUILT_IN_CHECKS } from "./doctorChecks";
import { EXTRA_DOCTOR_CHECKS } from "./doctorExtraChecks";
import { parseGitVersion, type GitVersion } from "../git/gitVersion";
import { findRepo } from "../git/indexStages";
import { runGit } from "../git/run";

/** A hint never fails doctor, not even with --strict: it suggests, it does not judge. */
export type Severity = "error" | "warning" | "ok" | "hint";

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
  gitVersion: GitVersion;
}

export type DoctorCheck = (ctx: DoctorContext) => Finding[];

export interface DoctorResult {
  findings: Finding[];
  exitCode: number;
}

function gitIn(cwd: string): (args: string[], input?: string) => GitRun {
  return (args, input) => {
    const r = runGit(cwd, args, input);
    return { status: r.status, stdout: r.stdout.toString("utf8"), stderr: r.stderr };
  };
}

/** Opens the repository containing `cwd` (any subdirectory works). */
export function doctorContext(cwd: string): DoctorContext {
  const repo = findRepo(cwd);
  if (repo === null) throw new Error(`${cwd} is not inside a Git work tree; run doctor from a clone`);
  const git = gitIn(repo.top);
  const version = parseGitVersion(git(["version"]).stdout);
  if (version === null) throw new Error("cannot tell the version of git on PATH");
  return { top: repo.top, git, gitVersion: version };
}

/** Warnings fail only with `strict` (see docs: Git < 2.44 alone is a warning). */
export function runDoctor(ctx: DoctorContext, options: { strict?: boolean } = {}, checks = [...BUILT_IN_CHECKS, ...EXTRA_DOCTOR_CHECKS]): DoctorResult {
  const findings: Finding[] = [];
  // A fresh context per run: what checks remember about it (doctorChecks) is never stale.
  const run: DoctorContext = { ...ctx };
  for (const check of checks) {
    try {
      findings.push(...check(run));
    } catch (e) {
      findings.push({ severity: "error", check: check.name || "check", message: `the check itself failed: ${(e as Error).message}` });
    }
  }
  const failing = findings.some((f) => f.severity === "error" || (options.strict === true && f.severity === "warning"));
  return { findings, exitCode: failing ? 1 : 0 };
}
