// Runs `statefile-merge nixops` (the built bin) against the fake nixops in a temporary
// repository, and reads back what the fake logged about each nixops invocation.

import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { BIN, REPO_ROOT } from "../support/fixtures";
import { TempRepo } from "../support/gitRepo";

export const FAKE_NIXOPS = join(REPO_ROOT, "test", "support", "fake-nixops");
export const STATE = "prod.nixops.json";
export const STORE_ID = "0123456789abcdfghijklmnpqrsvwxyz";

export interface LogEntry {
  argv: string[];
  command: string;
  statefile: string;
  envState: string | null;
  dirMode: string | null;
  fileMode: string | null;
  pid: number;
  event: "start" | "end" | "sleeping" | "interrupted";
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
    this.log = join(repo.dir, "..", "fake-nixops.log");
    this.env = { ...repo.env, FAKE_NIXOPS_LOG: this.log, FAKE_NIXOPS_STORE_ID: STORE_ID, ...extraEnv };
  }

  static create(stateText: string | null, extraEnv: NodeJS.ProcessEnv = {}): WrapperRepo {
    const repo = TempRepo.create();
    if (stateText !== null) repo.write(STATE, stateText).commit("state");
    return new WrapperRepo(repo, extraEnv);
  }

  args(nixopsArgs: string[], options: string[] = []): string[] {
    return [BIN, "nixops", "--state", STATE, "--nixops", FAKE_NIXOPS, ...options, "--", ...nixopsArgs];
  }

  run(nixopsArgs: string[], options: string[] = [], env: NodeJS.ProcessEnv = {}): Run {
    const r = spawnSync(process.execPath, this.args(nixopsArgs, options), { cwd: this.repo.dir, env: { ...this.env, ...env }, encoding: "utf8" });
    return { status: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
  }

  /** Starts a run in its own process group, as a terminal runs a foreground job. */
  start(nixopsArgs: string[]): { child: ChildProcess; done: Promise<Run> } {
    const child = spawn(process.execPath, this.args(nixopsArgs), { cwd: this.repo.dir, env: this.env, detached: true });
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
  async waitFor(event: LogEntry["event"], timeoutMs = 20_000): Promise<LogEntry> {
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
}
