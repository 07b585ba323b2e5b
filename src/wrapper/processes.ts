// Child processes for the wrapper, asynchronous so that signals reach our handlers while a
// child runs. Arguments go to the process directly, never through a shell.

import { spawn, type StdioOptions } from "node:child_process";

export interface ChildResult {
  /** The exit status, or 128 + the signal number when the child was killed by a signal. */
  status: number;
  signal: NodeJS.Signals | null;
  stdout: Buffer;
}

export interface ChildOptions {
  env: NodeJS.ProcessEnv;
  cwd?: string;
  /** Data for stdin; without it stdin is inherited (nixops may prompt). */
  input?: Buffer;
  /** Capture stdout (export); otherwise it is inherited, or sent to our stderr. */
  stdout: "capture" | "inherit" | "stderr";
  /** In its own session, out of reach of the terminal's Ctrl-C (import and export must finish). */
  detached?: boolean;
  /** Called with the child while it runs, so signals can be forwarded to it (and its pid recorded). */
  onSpawn?: (kill: (signal: NodeJS.Signals) => void, pid: number | undefined) => void;
  /** The child's umask (nixops creates its statefile with it); ours stays as it was for everything else. */
  umask?: number;
}

const SIGNAL_NUMBERS: Record<string, number> = { SIGHUP: 1, SIGINT: 2, SIGQUIT: 3, SIGKILL: 9, SIGTERM: 15 };

export function signalStatus(signal: NodeJS.Signals): number {
  return 128 + (SIGNAL_NUMBERS[signal] ?? 0);
}

export function runChild(command: string, args: string[], options: ChildOptions): Promise<ChildResult> {
  return new Promise((resolve, reject) => {
    const stdio: StdioOptions = [
      options.input === undefined ? "inherit" : "pipe",
      options.stdout === "inherit" ? "inherit" : options.stdout === "stderr" ? 2 : "pipe",
      "inherit",
    ];
    // A child takes the umask the process has when it is spawned: set for that moment only.
    const umask = options.umask === undefined ? null : process.umask(options.umask);
    let child;
    try {
      child = spawn(command, args, { env: options.env, cwd: options.cwd, stdio, detached: options.detached === true });
    } finally {
      if (umask !== null) process.umask(umask);
    }
    const chunks: Buffer[] = [];
    child.stdout?.on("data", (c: Buffer) => chunks.push(c));
    child.on("error", reject);
    if (options.input !== undefined && child.stdin) {
      child.stdin.on("error", () => undefined); // nixops may exit without reading all of it
      child.stdin.end(options.input);
    }
    options.onSpawn?.((signal) => child.kill(signal), child.pid);
    child.on("close", (code, signal) => {
      resolve({ status: code ?? (signal ? signalStatus(signal) : 1), signal, stdout: Buffer.concat(chunks) });
    });
  });
}
