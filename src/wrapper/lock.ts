// One wrapped nixops run per state file at a time. The lock is a small JSON file naming its
// holder (pid, host, command, start time), created atomically with link(2) so that nobody
// ever reads a half-written lock. It lives in the Git directory when the state file is in a
// repository (shared by all worktrees, never committed), else beside the state file.

import { createHash, randomBytes } from "node:crypto";
import { linkSync, mkdirSync, readFileSync, unlinkSync, writeFileSync } from "node:fs";
import { hostname } from "node:os";
import { basename, dirname, join, resolve } from "node:path";
import { isAlive } from "../io/staleTemps";
import { WrapperError } from "./errors";
import { askGit } from "./gitQuery";

export interface LockHolder {
  pid: number;
  host: string;
  command: string;
  started: string;
  file: string;
}

export function lockPathFor(stateFile: string): string {
  const absolute = resolve(stateFile);
  const gitDir = askGit(dirname(absolute), ["rev-parse", "--path-format=absolute", "--git-common-dir"])?.trim();
  if (gitDir) {
    const hash = createHash("sha256").update(absolute).digest("hex").slice(0, 12);
    return join(gitDir, "statefile-merge", "locks", `${basename(absolute)}-${hash}.lock`);
  }
  return join(dirname(absolute), `.${basename(absolute)}.statefile-merge.lock`);
}

function readHolder(path: string): LockHolder | null {
  try {
    const h = JSON.parse(readFileSync(path, "utf8")) as LockHolder;
    return typeof h.pid === "number" && typeof h.host === "string" ? h : null;
  } catch {
    return null;
  }
}

export class StateLock {
  private constructor(readonly path: string) {}

  /** Takes the lock, replacing a stale one (dead pid on this host), or refuses naming the holder. */
  static acquire(stateFile: string, command: string, notice: (line: string) => void): StateLock {
    const path = lockPathFor(stateFile);
    mkdirSync(dirname(path), { recursive: true });
    const me: LockHolder = { pid: process.pid, host: hostname(), command, started: new Date().toISOString(), file: resolve(stateFile) };
    const temp = `${path}.${process.pid}.${randomBytes(4).toString("hex")}`;
    writeFileSync(temp, JSON.stringify(me) + "\n", { mode: 0o644, flag: "wx" });
    try {
      for (let attempt = 0; attempt < 3; attempt++) {
        try {
          linkSync(temp, path);
          return new StateLock(path);
        } catch (e) {
          if ((e as NodeJS.ErrnoException).code !== "EEXIST") throw e;
        }
        const holder = readHolder(path);
        if (holder === null) {
          throw new WrapperError(`statefile-merge: ${stateFile} is locked by ${path}, which cannot be read; if no wrapped nixops run is active, delete it`);
        }
        if (holder.host === me.host && !isAlive(holder.pid)) {
          notice(`statefile-merge: removing a stale lock on ${stateFile}: pid ${holder.pid} (${holder.command}, ${holder.started}) is no longer running`);
          try {
            unlinkSync(path);
          } catch {
            // Another run removed it first; try again.
          }
          continue;
        }
        throw new WrapperError(
          `statefile-merge: ${stateFile} is in use by another wrapped nixops run: pid ${holder.pid} on ${holder.host}, ` +
            `"${holder.command}", since ${holder.started}; wait for it to finish (if that process is gone, delete ${path})`,
        );
      }
      throw new WrapperError(`statefile-merge: could not take the lock ${path} for ${stateFile}; try again`);
    } finally {
      unlinkSync(temp);
    }
  }

  release(): void {
    try {
      if (readHolder(this.path)?.pid === process.pid) unlinkSync(this.path);
    } catch {
      // Already gone.
    }
  }
}
