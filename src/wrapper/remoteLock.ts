// The team-wide deploy lock: a ref on the shared Git remote, created by a push that fails when
// the ref already exists (`--force-with-lease=REF:` with an empty expected value, which the
// remote checks under its own ref lock, so two clones can never both win). The ref points to
// a commit (empty tree) whose message names the holder; it is deleted at the end with a lease
// on our own commit, so a lock someone broke and took meanwhile is never deleted by mistake.

import { hostname, userInfo } from "node:os";
import { processStart, stillRuns } from "../io/processStart";
import { join } from "node:path";
import { leftByRun } from "./lock";
import { shellWord } from "../git/shellQuote";
import { WrapperError } from "./errors";
import { gitReason, pushRefusal, remoteGit, type RemoteGitResult } from "./remoteGit";

export interface LockHolder {
  user: string;
  host: string;
  /** The holder's repository top. */
  clone: string;
  pid: number;
  /** When that process started (io/processStart.ts), where the system says: a later process given its pid is not it. */
  start?: string;
  command: string;
  /** ISO time the lock was taken. */
  since: string;
}

export interface LockPlace {
  /** A directory in the local repository. */
  cwd: string;
  remote: string;
  ref: string;
  /** The state file's path in the repository, for messages. */
  file: string;
}

export interface LockPolicy {
  /** A lock older than this is reported as stale (its run probably died). */
  staleAfterMs: number;
  /** Break a lock someone else holds (--force-unlock). */
  forceUnlock: boolean;
  now: Date;
}

/** The remote could not be asked at all (no network, no such repository, no permission). */
export class RemoteUnreachable extends Error {}

const FIELDS = ["user", "host", "clone", "pid", "command", "since"] as const;

export function holderHere(clone: string, command: string, now: Date): LockHolder {
  let user = process.env.USER ?? "unknown";
  try {
    user = userInfo().username;
  } catch {
    // No passwd entry (some containers): $USER it is.
  }
  return { user, host: hostname(), clone, pid: process.pid, start: processStart(process.pid), command, since: now.toISOString() };
}

export function lockMessage(file: string, h: LockHolder): string {
  const oneLine = (v: string | number) => String(v).replace(/[\r\n]+/g, " ");
  const start = h.start === undefined ? "" : `start: ${oneLine(h.start)}\n`;
  return `statefile-merge deploy lock on ${file}\n\n` + FIELDS.map((f) => `${f}: ${oneLine(h[f])}`).join("\n") + "\n" + start;
}

/** The holder named in a lock commit's message, or null when it is not one of ours. */
export function parseLockMessage(message: string): LockHolder | null {
  const found = new Map<string, string>();
  for (const line of message.split("\n")) {
    const m = /^([a-z]+): (.*)$/.exec(line);
    if (m) found.set(m[1], m[2]);
  }
  if (!FIELDS.every((f) => found.has(f))) return null;
  const pid = Number(found.get("pid"));
  const since = found.get("since") as string;
  if (!Number.isInteger(pid) || Number.isNaN(Date.parse(since))) return null;
  return { user: found.get("user")!, host: found.get("host")!, clone: found.get("clone")!, pid, start: found.get("start"), command: found.get("command")!, since };
}

/** "3 hours ago", "12 minutes ago": how old a lock is, for people. */
export function age(since: string, now: Date): string {
  const minutes = Math.max(0, Math.round((now.getTime() - Date.parse(since)) / 60_000));
  if (minutes === 0) return "less than a minute ago";
  if (minutes < 120) return `${minutes} minute${minutes === 1 ? "" : "s"} ago`;
  const hours = Math.round(minutes / 60);
  return hours < 48 ? `${hours} hours ago` : `${Math.round(hours / 24)} days ago`;
}

export function describeHolder(h: LockHolder, now: Date): string {
  return `${h.user} on ${h.host} (clone ${h.clone}, pid ${h.pid}), "${h.command}", since ${h.since} (${age(h.since, now)})`;
}

interface PushResult {
  ok: boolean;
  /** The update was refused: the ref was not what the lease expected, or the remote said no. */
  rejected: boolean;
  /** git's summary of a refusal, e.g. "[rejected] (stale info)" or "[remote rejected] (hook declined)". */
  summary: string;
  result: RemoteGitResult;
}

function push(place: LockPlace, lease: string, refspec: string): PushResult {
  const r = remoteGit(place.cwd, ["push", "--porcelain", "--no-verify", `--force-with-lease=${place.ref}:${lease}`, place.remote, refspec]);
  const refusal = pushRefusal(r, place.ref);
  return { ok: r.status === 0 && !refusal, rejected: !!refusal, summary: refusal?.[2] ?? "", result: r };
}

interface SeenLock {
  commit: string;
  holder: LockHolder | null;
}

/** The lock on the remote now, or null when there is none (it was released meanwhile). */
function readLock(place: LockPlace): SeenLock | null {
  const local = place.ref.replace(/^refs\/statefile-merge\/lock\//, "refs/statefile-merge/seen/");
  const fetch = remoteGit(place.cwd, ["fetch", "--quiet", "--no-tags", place.remote, `+${place.ref}:${local}`]);
  if (fetch.status !== 0) {
    if (/couldn't find remote ref/i.test(fetch.stderr)) return null;
    throw new RemoteUnreachable(gitReason(fetch));
  }
  try {
    const commit = remoteGit(place.cwd, ["rev-parse", "--verify", local]).stdout.trim();
    const body = remoteGit(place.cwd, ["cat-file", "commit", commit]).stdout;
    const message = body.slice(body.indexOf("\n\n") + 2);
    return { commit, holder: parseLockMessage(message) };
  } finally {
    remoteGit(place.cwd, ["update-ref", "-d", local]);
  }
}

/** Our lock commit: the empty tree, the holder in the message and as author. */
function lockCommit(place: LockPlace, holder: LockHolder): string {
  const tree = remoteGit(place.cwd, ["mktree"], "");
  const date = `@${Math.floor(Date.parse(holder.since) / 1000)} +0000`;
  const who = { name: `${holder.user} (statefile-merge lock)`, email: `${holder.user}@${holder.host}` };
  const env = {
    GIT_AUTHOR_NAME: who.name,
    GIT_AUTHOR_EMAIL: who.email,
    GIT_AUTHOR_DATE: date,
    GIT_COMMITTER_NAME: who.name,
    GIT_COMMITTER_EMAIL: who.email,
    GIT_COMMITTER_DATE: date,
  };
  const commit = tree.status === 0 ? remoteGit(place.cwd, ["commit-tree", tree.stdout.trim(), "-F", "-"], lockMessage(place.file, holder), env) : tree;
  if (commit.status !== 0) throw new WrapperError(`statefile-merge: could not make the deploy lock commit for ${place.file}: ${gitReason(commit)}`, 1);
  return commit.stdout.trim();
}

export class RemoteLock {
  private released = false;

  private constructor(
    readonly place: LockPlace,
    readonly commit: string,
  ) {}

  /** Takes the lock, or refuses naming its holder; RemoteUnreachable when the remote cannot be asked. */
  static acquire(place: LockPlace, holder: LockHolder, policy: LockPolicy, notice: (line: string) => void): RemoteLock {
    const mine = lockCommit(place, holder);
    let lease = ""; // the ref must not exist
    for (let attempt = 0; attempt < 4; attempt++) {
      const p = push(place, lease, `${mine}:${place.ref}`);
      if (p.ok) return new RemoteLock(place, mine);
      if (!p.rejected) throw new RemoteUnreachable(gitReason(p.result));
      const seen = readLock(place);
      // The remote said no although the ref is as we expected: not a race but a rule of the
      // server (a hook that takes only branches, receive.denyNonFastForwards).
      if (p.summary.includes("remote rejected") && (seen?.commit ?? "") === lease) {
        throw new RemoteUnreachable(`it refused ${lease === "" ? "" : "to replace "}${place.ref}: ${p.summary}`);
      }
      if (seen === null) {
        lease = "";
        continue;
      }
      const where = `${place.file} on ${place.remote}`;
      const h = seen.holder;
      const shown = h ? describeHolder(h, policy.now) : `an unreadable lock (commit ${seen.commit.slice(0, 12)})`;
      if (policy.forceUnlock) {
        notice(`statefile-merge: breaking the deploy lock of ${where} held by ${shown} (--force-unlock)`);
      } else if (h && h.host === holder.host && !stillRuns(h.pid, h.start)) {
        // The run is gone; what it started or left in its clone may not be (a kill -9 of the wrapper alone).
        const run = leftByRun(join(h.clone, place.file), h.pid);
        if (run?.nixops != null) {
          throw new WrapperError(`statefile-merge: ${where} is locked for a deploy by ${shown}: that run is gone, but the nixops it started (pid ${run.nixops}) still runs; wait for it to finish`);
        }
        if (run?.unpushed) {
          throw new WrapperError(
            `statefile-merge: ${where} is locked for a deploy by ${shown}: that run is gone, and the state it wrote with --push is not pushed yet; ` +
              `a wrapped run in ${h.clone} says how to finish; wait until it is pushed, then git pull`,
          );
        }
        if (run?.left != null) {
          throw new WrapperError(
            `statefile-merge: ${where} is locked for a deploy by ${shown}: that run is gone, and the state it made is left unsaved in ${run.left}; ` +
              `a wrapped run in ${h.clone} says how to merge it in; commit and push that first`,
          );
        }
        notice(`statefile-merge: replacing the deploy lock of ${where} left by ${shown}: that process is no longer running on this host`);
      } else if (h && policy.now.getTime() - Date.parse(h.since) > policy.staleAfterMs) {
        throw new WrapperError(
          `statefile-merge: ${where} has a stale deploy lock (older than ${hoursOrMinutes(policy.staleAfterMs)}) held by ${shown}; ` +
            `its run probably died: if nobody is deploying, run again with --force-unlock to break it`,
        );
      } else {
        throw new WrapperError(
          `statefile-merge: ${where} is locked for a deploy by ${shown}; wait for it to finish ` +
            `(if that run is gone, run again with --force-unlock)`,
        );
      }
      lease = seen.commit; // replace exactly the lock we saw, nothing newer
    }
    throw new WrapperError(`statefile-merge: could not take the deploy lock of ${place.file} on ${place.remote}: it kept changing; try again`);
  }

  /** The command that deletes the lock by hand. */
  releaseCommand(): string {
    return `git push ${shellWord(this.place.remote)} ${shellWord(":" + this.place.ref)}`;
  }

  /** Deletes the lock if it is still ours; says so when it cannot. Safe to call twice. */
  release(notice: (line: string) => void): void {
    if (this.released) return;
    this.released = true;
    const p = push(this.place, this.commit, `:${this.place.ref}`);
    if (p.ok) return;
    if (p.summary.includes("remote rejected")) {
      notice(
        `statefile-merge: the Git remote ${this.place.remote} refused to delete the deploy lock of ${this.place.file} (${p.summary}); ` +
          `delete it with: ${this.releaseCommand()}`,
      );
    } else if (p.rejected) {
      notice(`statefile-merge: the deploy lock of ${this.place.file} on ${this.place.remote} is no longer ours (broken with --force-unlock?); left it as it is`);
    } else {
      notice(
        `statefile-merge: could not release the deploy lock of ${this.place.file} on ${this.place.remote} (${gitReason(p.result)}); ` +
          `release it with: ${this.releaseCommand()}`,
      );
    }
  }
}

function hoursOrMinutes(ms: number): string {
  const minutes = Math.round(ms / 60_000);
  return minutes % 60 === 0 ? `${minutes / 60}h` : `${minutes}m`;
}
