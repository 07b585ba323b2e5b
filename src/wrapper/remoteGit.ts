// git commands that talk to the shared remote (the deploy lock, the upstream fetch). They run
// in their own session, like nixops import/export: a second Ctrl-C must not cut a push that
// releases the lock. Without a terminal, git cannot ask for a password, so a remote over ssh
// needs an ssh agent and one over https a credential helper (and a hung remote times out).

import { spawnSync, type SpawnSyncOptionsWithStringEncoding } from "node:child_process";
import { gitReason as reasonIn } from "../git/run";

const TIMEOUT_MS = 120_000;

export interface RemoteGitResult {
  status: number;
  stdout: string;
  stderr: string;
}

export function remoteGit(cwd: string, args: string[], input?: string, env: NodeJS.ProcessEnv = {}): RemoteGitResult {
  // spawnSync honours `detached` (a new session) although its type does not list it.
  const options: SpawnSyncOptionsWithStringEncoding & { detached: boolean } = {
    cwd,
    input: input ?? "",
    encoding: "utf8",
    detached: true,
    timeout: TIMEOUT_MS,
    env: { ...process.env, GIT_TERMINAL_PROMPT: "0", ...env },
    stdio: ["pipe", "pipe", "pipe"],
  };
  const r = spawnSync("git", args, options);
  if (r.error) return { status: -1, stdout: "", stderr: `git could not run: ${r.error.message}` };
  return { status: r.status ?? 128, stdout: r.stdout, stderr: r.stderr };
}

/** The line of git's stderr that says what went wrong (its `fatal:` line if any). */
export function gitReason(r: RemoteGitResult): string {
  return reasonIn(r.stderr, `git exited with status ${r.status}`);
}

/**
 * The line `git push --porcelain` prints for a refused ref (`!`, tab, the ref, tab, git's
 * summary such as "[rejected] (fetch first)"), split at its tabs; with `ref`, only that ref's;
 * null when none was refused.
 */
export function pushRefusal(r: RemoteGitResult, ref?: string): string[] | null {
  const line = r.stdout.split("\n").find((l) => l.startsWith("!\t") && (ref === undefined || l.includes(ref)));
  return line === undefined ? null : line.split("\t");
}
