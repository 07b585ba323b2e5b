// Runs `statefile-merge nixops` (the built bin) against the fake nixops in a temporary
// repository, and reads back what the fake logged about each nixops invocation. A team is
// two clones of one bare repository, the shared remote that holds the deploy lock.

import { execFileSync, spawn, spawnSync, type ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, realpathSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import { BIN, REPO_ROOT, type State } from "./fixtures";
import { TempRepo } from "./gitRepo";

export const FAKE_NIXOPS = join(REPO_ROOT, "test", "support", "fake-nixops");
export const STATE = "prod.nixops.json";
export const STORE_ID = "0123456789abcdfghijklmnpqrsvwxyz";

const MACHINES = `/nix/store/${STORE_ID}-nixops-machines`;

/** The state the fake's `deploy -d D --include <names>` leaves behind, built independently. */
export function deployed(state: State, deployment: string, ...machines: string[]): State {
  state.set(deployment, null, "configsPath", MACHINES);
  for (const m of machines) state.set(deployment, m, "toplevel", `/nix/store/${STORE_ID}-nixos-system-${m}`).set(deployment, m, "configsPath", MACHINES);
  return state;
}

/** The machines of a deployment: the resources a deploy builds. */
export function machinesOf(state: State, deployment: string): string[] {
  return [...state.resources(deployment)].filter(([, r]) => r instanceof Map && (r.has("toplevel") || r.has("vmId"))).map(([n]) => n);
}

export interface LogEntry {
  argv: string[];
  command: string;
  statefile: string;
  envState: string | null;
  dirMode: string | null;
  fileMode: string | null;
  pid: number;
  event: "start" | "end" | "sleeping" | "interrupted" | "evaluate";
  /** The network files a 1.x deploy evaluated (event "evaluate"). */
  nixExprs?: string[];
}

/** Where a run starts: another directory, and which --state (null: none given). */
export interface RunPlace {
  cwd?: string;
  state?: string | null;
}

export interface Run {
  status: number;
  stdout: string;
  stderr: string;
}

export class WrapperRepo {
  readonly log: string;
  readonly env: NodeJS.ProcessEnv;

  constructor(
    readonly repo: TempRepo,
    extraEnv: NodeJS.ProcessEnv = {},
  ) {
    this.log = join(repo.dir, "..", `${basename(repo.dir)}.fake-nixops.log`); // one per clone
    this.env = { ...repo.env, FAKE_NIXOPS_LOG: this.log, FAKE_NIXOPS_STORE_ID: STORE_ID, ...extraEnv };
  }

  static create(stateText: string | null, extraEnv: NodeJS.ProcessEnv = {}): WrapperRepo {
    const repo = TempRepo.create();
    if (stateText !== null) repo.write(STATE, stateText).commit("state");
    return new WrapperRepo(repo, extraEnv);
  }

  /** Two clones (alice, bob) of a bare repository holding the committed state, both tracking its main. */
  static team(stateText: string, extraEnv: NodeJS.ProcessEnv = {}): { remote: string; alice: WrapperRepo; bob: WrapperRepo } {
    const root = realpathSync(mkdtempSync(join(tmpdir(), "statefile-merge-team-")));
    const remote = join(root, "remote.git");
    const alice = new TempRepo(join(root, "alice"));
    execFileSync("git", ["init", "-q", "--bare", "-b", "main", remote], { env: alice.env });
    execFileSync("git", ["init", "-q", "-b", "main", alice.dir], { env: alice.env });
    alice.write(STATE, stateText).commit("state");
    alice.git("remote", "add", "origin", remote);
    alice.git("push", "-q", "-u", "origin", "main");
    const bob = new TempRepo(join(root, "bob"));
    execFileSync("git", ["clone", "-q", remote, bob.dir], { env: bob.env });
    return { remote, alice: new WrapperRepo(alice, extraEnv), bob: new WrapperRepo(bob, extraEnv) };
  }

  args(nixopsArgs: string[], options: string[] = [], state: string | null = STATE): string[] {
    return [BIN, "nixops", ...(state === null ? [] : ["--state", state]), "--nixops", FAKE_NIXOPS, ...options, "--", ...nixopsArgs];
  }

  run(nixopsArgs: string[], options: string[] = [], env: NodeJS.ProcessEnv = {}, place: RunPlace = {}): Run {
    const r = spawnSync(process.execPath, this.args(nixopsArgs, options, place.state === undefined ? STATE : place.state), {
      cwd: place.cwd ?? this.repo.dir,
      env: { ...this.env, ...env },
      encoding: "utf8",
    });
    return { status: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
  }

  /** Starts a run in its own process group, as a terminal runs a foreground job. */
  start(nixopsArgs: string[], options: string[] = []): { child: ChildProcess; done: Promise<Run> } {
    const child = spawn(process.execPath, this.args(nixopsArgs, options), { cwd: this.repo.dir, env: this.env, detached: true });
    let stdout = "";
    let stderr = "";
    child.stdout?.on("data", (d) => (stdout += d));
    child.stderr?.on("data", (d) => (stderr += d));
    const done = new Promise<Run>((resolve) => child.on("close", (code, signal) => resolve({ status: code ?? (signal ? -1 : -2), stdout, stderr })));
    return { child, done };
  }

  entries(): LogEntry[] {
    if (!existsSync(this.log)) return [];
    return readFileSync(this.log, "utf8")
      .split("\n")
      .filter(Boolean)
      .map((l) => JSON.parse(l) as LogEntry);
  }

  /** Waits until the fake logged this event (a sleeping nixops, say). */
  async waitFor(event: LogEntry["event"], timeoutMs = 40_000): Promise<LogEntry> {
    const until = Date.now() + timeoutMs;
    for (;;) {
      const e = this.entries().find((x) => x.event === event);
      if (e) return e;
      if (Date.now() > until) throw new Error(`fake nixops never logged ${event}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  state(): string {
    return this.repo.read(STATE);
  }

  /**
   * The `statefile-merge recover ...` command a message names, run as printed by a shell in
   * the repository, with the built bin as `statefile-merge` on PATH; null when none is named.
   */
  runPrintedRecover(message: string, env: NodeJS.ProcessEnv = {}): Run | null {
    const command = /with (statefile-merge recover .*?), which merges it in/.exec(message)?.[1];
    if (command === undefined) return null;
    const bin = mkdtempSync(join(tmpdir(), "statefile-merge-path-"));
    writeFileSync(join(bin, "statefile-merge"), `#!/bin/sh\nexec '${process.execPath}' '${BIN}' "$@"\n`, { mode: 0o755 });
    const r = spawnSync("sh", ["-c", command], { cwd: this.repo.dir, env: { ...this.env, ...env, PATH: `${bin}:${process.env.PATH}` }, encoding: "utf8" });
    return { status: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
  }

  /** The lock refs on a remote, as `git ls-remote` lists them. */
  static lockRefs(remote: string): string[] {
    return execFileSync("git", ["ls-remote", remote, "refs/statefile-merge/*"], { encoding: "utf8" })
      .split("\n")
      .filter(Boolean)
      .map((l) => l.split("\t")[1]);
  }
}
