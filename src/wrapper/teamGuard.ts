// What a run that changes state needs beyond the local lock: the team-wide deploy lock on the
// shared remote, and a branch that is not behind its upstream.
//
// Without any remote there is no team to share a lock with (a repository on one machine): the
// run goes on with a one-line notice. A remote that exists but cannot be reached is different:
// a teammate may be deploying right now and we cannot tell, so the run is refused unless
// --no-remote-lock says to go on with only this clone locked.

import { realpathSync } from "node:fs";
import { basename, dirname, relative, resolve } from "node:path";
import { WrapperError } from "./errors";
import { askGit } from "./gitQuery";
import { lockRefFor } from "./lockRef";
import { holderHere, RemoteLock, RemoteUnreachable } from "./remoteLock";
import { checkUpToDate } from "./upstream";

export interface TeamOptions {
  /** Take the lock on the remote (false with --no-remote-lock). */
  remoteLock: boolean;
  forceUnlock: boolean;
  staleAfterMs: number;
  allowBehind: boolean;
}

type RemoteChoice = { name: string } | { none: "no remote" | "several remotes" };

/** The remote of the branch's upstream, else `origin`, else the only remote. */
function lockRemote(top: string): RemoteChoice {
  const branch = askGit(top, ["symbolic-ref", "--short", "-q", "HEAD"]);
  const tracked = branch ? askGit(top, ["config", `branch.${branch}.remote`]) : null;
  if (tracked && tracked !== ".") return { name: tracked };
  const remotes = (askGit(top, ["remote"]) ?? "").split("\n").filter(Boolean);
  if (remotes.includes("origin")) return { name: "origin" };
  if (remotes.length === 1) return { name: remotes[0] };
  return { none: remotes.length === 0 ? "no remote" : "several remotes" };
}

/** The state file's path from the repository top (the file itself may not exist yet). */
function pathInRepository(top: string, file: string): string {
  const absolute = resolve(file);
  let dir = dirname(absolute);
  try {
    dir = realpathSync(dir);
  } catch {
    // A directory that does not exist: the path as given.
  }
  return relative(top, resolve(dir, basename(absolute))).split("\\").join("/");
}

/**
 * Takes the remote lock and checks the branch; returns the lock to release at the end, if any.
 * `top` is the work tree holding the file (null: none), as the caller already asked Git.
 */
export function guardTeamRun(file: string, top: string | null, command: string, options: TeamOptions, notice: (line: string) => void): RemoteLock | null {
  if (!top) {
    notice(`statefile-merge: ${file} is not in a Git repository: no team-wide deploy lock, only this machine's`);
    return null;
  }
  let lock: RemoteLock | null = null;
  if (!options.remoteLock) {
    notice(`statefile-merge: --no-remote-lock: no team-wide deploy lock; only this clone is locked`);
  } else {
    const remote = lockRemote(top);
    if ("none" in remote) {
      if (remote.none === "several remotes") {
        throw new WrapperError(
          `statefile-merge: cannot tell which Git remote holds the team's deploy lock (several remotes, no origin, no upstream); ` +
            `set an upstream (git branch -u REMOTE/BRANCH) or pass --no-remote-lock`,
        );
      }
      notice(`statefile-merge: the repository has no Git remote, so there is no team-wide deploy lock; only this clone is locked`);
    } else {
      const inRepo = pathInRepository(top, file);
      const place = { cwd: top, remote: remote.name, ref: lockRefFor(inRepo), file: inRepo };
      const now = new Date();
      try {
        lock = RemoteLock.acquire(place, holderHere(top, command, now), { staleAfterMs: options.staleAfterMs, forceUnlock: options.forceUnlock, now }, notice);
      } catch (e) {
        if (!(e instanceof RemoteUnreachable)) throw e;
        throw new WrapperError(
          `statefile-merge: cannot take the team-wide deploy lock of ${inRepo} on the Git remote ${remote.name} (${e.message}); ` +
            `nothing was run; fix the connection, or pass --no-remote-lock to go on with only this clone locked`,
        );
      }
    }
  }
  try {
    checkUpToDate(top, { fetch: lock !== null, allowBehind: options.allowBehind }, notice);
  } catch (e) {
    lock?.release(notice);
    throw e;
  }
  return lock;
}
