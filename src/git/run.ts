// The one way this package runs git: no shell, output kept as bytes, failures to start raised.
// Kept tiny and dependency-free so the merge driver can load it without the rest of src/git.

import { spawnSync } from "node:child_process";
import { exitedBeforeReadingInput } from "../io/childExit";

export class GitError extends Error {}

export interface GitResult {
  status: number;
  stdout: Buffer;
  stderr: string;
}

export interface RunOptions {
  /** Kill git after this many milliseconds (the run then throws GitError). */
  timeout?: number;
}

export function runGit(cwd: string, args: string[], input?: string, options: RunOptions = {}): GitResult {
  const r = spawnSync("git", args, { cwd, input, stdio: ["pipe", "pipe", "pipe"], maxBuffer: 2 ** 31 - 1, timeout: options.timeout });
  // git may exit before it read all of `input` (a commit hook that failed first): its status says how it ended.
  if (r.error && !exitedBeforeReadingInput(r)) throw new GitError(`git could not run: ${r.error.message}`);
  return { status: r.status ?? 128, stdout: r.stdout, stderr: r.stderr.toString() };
}

/** git's stdout as text without the final newline, or null when git exits non-zero. */
export function gitText(cwd: string, args: string[], options: RunOptions = {}): string | null {
  const r = runGit(cwd, args, undefined, options);
  return r.status === 0 ? r.stdout.toString("utf8").replace(/\n$/, "") : null;
}

/**
 * git's own reason for failing: its `fatal:` or `error:` line (after any `warning:` or
 * `hint:`), else its first line, without that prefix (a statefile-merge line says who speaks).
 */
export function gitReason(stderr: string, fallback: string): string {
  const lines = stderr.split("\n").map((l) => l.trim()).filter(Boolean);
  const fatal = lines.find((l) => l.startsWith("fatal:") || l.startsWith("error:"));
  return (fatal ?? lines[0] ?? fallback).replace(/^(fatal|error): /, "");
}
