// One wrapped nixops run per state file at a time. The lock is a small JSON file naming its
// holder (pid and when that process started, host, command, start time), created atomically with link(2) so that nobody
// ever reads a half-written lock. It lives in the Git directory when the state file is in a
// repository (shared by all worktrees, never committed), else beside the state file. The
// holder adds the pid of the nixops it runs and its private directory once they exist: a
// wrapper killed outright (kill -9) leaves a nixops still deploying, which must keep the lock,
// and a directory holding the state that run made, which the next run must point to.

import { createHash, randomBytes } from "node:crypto";
import { existsSync, linkSync, mkdirSync, readFileSync, realpathSync, renameSync, rmSync, statSync, unlinkSync, writeFileSync } from "node:fs";
import { hostname, tmpdir } from "node:os";
import { basename, dirname, join, resolve } from "node:path";
import { processStart, stillRuns } from "../io/processStart";
import { shellWord } from "../git/shellQuote";
import { WrapperError } from "./errors";
import { commonGitDirOf } from "./gitQuery";
import { isPushed, type PendingPush } from "./statePush";

/** In a run's private directory: the state file as the run found it (the base to merge its state with). */
export const STARTED_FROM = "started-from.json";

export interface LockHolder {
  pid: number;
  /** When the holder's process started (io/processStart.ts): a later process given its pid is not it. */
  pidStart?: string;
  host: string;
  command: string;
  started: string;
  file: string;
  /** The nixops process the holder runs, once started. */
  nixops?: number;
  nixopsStart?: string;
  /** The holder's private directory (its nixops statefile), once made. */
  privateDir?: string;
  /** The nixops subcommand it runs (`delete` may drop deployments from the state). */
  subcommand?: string;
  /** The options `statefile-merge recover` needs to run the same nixops (`--nixops PATH`). */
  recoverOptions?: string[];
  /** The pid of the gone run whose kept state this lock took over (recover): the team-wide lock names that run. */
  keptFor?: number;
  /** The run was started with `--push` (recover keeps its state's locks until it is pushed). */
  push?: boolean;
  /**
   * `--push` (or recover of such a run) wrote the state file but could not commit or push it:
   * the locks stay until that state is on the upstream (isPushed), so that nobody deploys from
   * the one before. Null: Git could not say what was written; kept until the lock is deleted.
   */
  unpushed?: PendingPush | null;
}

/** What a gone holder left in its clone (leftBy). */
export interface LeftBehind {
  /** The nixops it started, if that still runs. */
  nixops: number | null;
  /** The directory holding a state it did not save. */
  left: string | null;
  /** It wrote the state file under --push, and that state is not on the upstream yet. */
  unpushed: boolean;
}

/** A state a gone run left, taken over by `statefile-merge recover` with its lock. */
export interface KeptState {
  dir: string;
  subcommand: string | null;
  /** The run was started with --push: its state, once in the file, keeps the locks until pushed. */
  push: boolean;
}

/** The state file's absolute path with its directory's symbolic links resolved: one file, one lock, by whatever path it is named. */
function canonicalPath(stateFile: string): string {
  const absolute = resolve(stateFile);
  try {
    return join(realpathSync(dirname(absolute)), basename(absolute));
  } catch {
    return absolute; // a directory that does not exist: the path as given
  }
}

/** Where the lock on a state file lives, and the Git directory holding it (null outside a repository). */
function lockPlace(stateFile: string): { path: string; gitDir: string | null } {
  const file = canonicalPath(stateFile);
  const gitDir = commonGitDirOf(file);
  if (gitDir) {
    const hash = createHash("sha256").update(file).digest("hex").slice(0, 12);
    return { path: join(gitDir, "statefile-merge", "locks", `${basename(file)}-${hash}.lock`), gitDir };
  }
  return { path: join(dirname(file), `.${basename(file)}.statefile-merge.lock`), gitDir: null };
}

export function lockPathFor(stateFile: string): string {
  return lockPlace(stateFile).path;
}

/** In a run's private directory, written when the run keeps it: what to do with it, which the next run repeats. */
export const NEXT_STEPS = "next-steps.txt";

/** In a run's private directory, when the run exported its state but could not write it: that export, in committed form. */
export const SAVED_EXPORT = "export.json";

/**
 * In a run's private directory, written just before nixops itself starts: without it (nor a
 * nixops pid in the lock) the statefile holds at most the import of the file, which the file
 * has, and a wrapper killed while importing left nothing to recover.
 */
export const NIXOPS_STARTED = "nixops-started";

/**
 * How to bring the state a run left in its private directory into the state file: one
 * command, `statefile-merge recover` (recoverRun.ts), which exports it as the file commits it
 * and merges it with the file, based on the file as the run found it (never an export straight
 * over the file, which would undo what changed it meanwhile). `recoverOptions`: the nixops
 * options it needs to run the same nixops (`--nixops PATH`). The file is named by its absolute
 * path: the next run that repeats the command may start in another directory.
 */
export function mergeInSteps(dir: string, stateFile: string, recoverOptions: readonly string[] = []): string {
  const command = ["statefile-merge", "recover", "--state", resolve(stateFile), ...recoverOptions].map(shellWord).join(" ");
  return `bring it into ${stateFile} with ${command}, which merges it in and then deletes ${dir}`;
}

/** What to do with a gone holder's kept directory: what the run wrote there, else the steps that merge its state in. */
function nextSteps(holder: LockHolder, dir: string, stateFile: string): string {
  try {
    return readFileSync(join(dir, NEXT_STEPS), "utf8").trim();
  } catch {
    return mergeInSteps(dir, stateFile, holder.recoverOptions); // killed before it could say (kill -9)
  }
}

/** The private directory the lock names, when it is named as runs name theirs: never a path a damaged lock names. */
function runDirOf(holder: LockHolder): string | null {
  const dir = holder.privateDir;
  return typeof dir === "string" && basename(dir).startsWith(RUN_DIR_PREFIX) ? dir : null;
}

/** The private directory a holder that is gone left its nixops state in, or null when there is none. */
function leftState(holder: LockHolder): string | null {
  const dir = runDirOf(holder);
  return dir !== null && existsSync(join(dir, "state.nixops")) && !diedBeforeNixops(holder, dir) ? dir : null;
}

/** The holder's directory holds no more than an import of the file: nixops never started (NIXOPS_STARTED). */
function diedBeforeNixops(holder: LockHolder, dir: string): boolean {
  return holder.nixops === undefined && !existsSync(join(dir, NIXOPS_STARTED));
}

/** How a run's private directory is named (mkdtemp adds six characters). */
export const RUN_DIR_PREFIX = "statefile-merge-nixops-";

/** The state a --push run wrote and its upstream does not hold yet (isPushed); what Git cannot tell counts as not pushed. */
function stillUnpushed(holder: LockHolder): boolean {
  if (holder.unpushed === undefined) return false;
  return holder.unpushed === null || !isPushed(holder.unpushed);
}

function readHolder(path: string): LockHolder | null {
  try {
    const h = JSON.parse(readFileSync(path, "utf8")) as LockHolder;
    return typeof h.pid === "number" && typeof h.host === "string" ? h : null;
  } catch {
    return null;
  }
}

/**
 * What a wrapped run that is gone left in its clone, read from that clone's lock on the state
 * file (the team-wide lock knows the run's clone and pid): the nixops it started, if that
 * still runs, and the directory holding a state it did not save. Null when that lock is not
 * the run's (released, or taken by another run since) or cannot be read.
 */
export function leftByRun(stateFile: string, pid: number): LeftBehind | null {
  let holder: LockHolder | null;
  try {
    holder = readHolder(lockPathFor(stateFile));
  } catch {
    return null;
  }
  if (holder === null || (holder.pid !== pid && holder.keptFor !== pid)) return null;
  return leftBy(holder);
}

/** What a holder that is gone left in its clone. */
function leftBy(holder: LockHolder): LeftBehind {
  const running = holder.nixops !== undefined && stillRuns(holder.nixops, holder.nixopsStart) ? holder.nixops : null;
  return { nixops: running, left: leftState(holder), unpushed: stillUnpushed(holder) };
}

/** A run that died while it removed a stale lock leaves its mark; after this long it is taken for gone. */
const BREAK_STALE_MS = 10_000;

/**
 * Removes the lock at `path` if it still names `stale`, under a second lock (`path.break`,
 * created from `temp` with link(2)): two runs that both found the same stale lock would
 * otherwise both remove it, the second one the lock the first had just taken, and both run.
 * With `replacement`, that file is renamed over it instead (the caller's lock, at once).
 * False when another run is at it (the caller looks again).
 */
export function removeStale(path: string, temp: string, stale: LockHolder, replacement?: string): boolean {
  const mark = `${path}.break`;
  try {
    linkSync(temp, mark);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== "EEXIST") throw e;
    const since = statSync(mark, { throwIfNoEntry: false })?.mtimeMs;
    if (since !== undefined && Date.now() - since > BREAK_STALE_MS) rmSync(mark, { force: true });
    else Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 50); // the other run is at it
    return false;
  }
  try {
    const now = readHolder(path);
    if (now === null || now.pid !== stale.pid || now.started !== stale.started) return false;
    if (replacement !== undefined) renameSync(replacement, path);
    else unlinkSync(path);
    return true;
  } finally {
    rmSync(mark, { force: true });
  }
}

export class StateLock {
  private constructor(
    readonly path: string,
    private readonly gitDir: string | null,
    /** With `adopt`: the state the last holder left, now this lock's to deal with. */
    readonly adopted: KeptState | null = null,
  ) {}

  /**
   * Where a run makes its private directory: beside the locks in the Git directory, so that a
   * state a run had to leave behind outlives a reboot or a /tmp cleaner (the lock points to
   * it); the system's temporary directory outside a repository. The folder itself is made
   * with the user's umask (a clone several users share); each run's directory in it is 0700.
   */
  runsDir(): string {
    if (this.gitDir === null) return tmpdir();
    const runs = join(this.gitDir, "statefile-merge", "runs");
    mkdirSync(runs, { recursive: true });
    return runs;
  }

  /**
   * Takes the lock, replacing a stale one (dead pid on this host), or refuses naming the holder.
   * A gone holder that left a state it did not save is refused too, unless `adopt`: then its
   * lock is taken over with that state (`adopted`), still named in the lock until released.
   */
  static acquire(stateFile: string, command: string, notice: (line: string) => void, adopt = false): StateLock {
    const { path, gitDir } = lockPlace(stateFile);
    mkdirSync(dirname(path), { recursive: true });
    const me: LockHolder = { pid: process.pid, pidStart: processStart(process.pid), host: hostname(), command, started: new Date().toISOString(), file: resolve(stateFile) };
    const temp = `${path}.${process.pid}.${randomBytes(4).toString("hex")}`;
    writeFileSync(temp, JSON.stringify(me) + "\n", { mode: 0o644, flag: "wx" });
    try {
      // Enough tries to wait out another run removing the same stale lock (removeStale).
      for (let attempt = 0; attempt < 20; attempt++) {
        try {
          linkSync(temp, path);
          return new StateLock(path, gitDir);
        } catch (e) {
          if ((e as NodeJS.ErrnoException).code !== "EEXIST") throw e;
        }
        const holder = readHolder(path);
        if (holder === null) {
          throw new WrapperError(`statefile-merge: ${stateFile} is locked by ${path}, which cannot be read; if no wrapped nixops run is active, delete it`);
        }
        const gone = holder.host === me.host && !stillRuns(holder.pid, holder.pidStart);
        const { nixops, left, unpushed } = gone ? leftBy(holder) : { nixops: null, left: null, unpushed: false };
        if (nixops !== null) {
          throw new WrapperError(
            `statefile-merge: ${stateFile} is in use: the wrapped run pid ${holder.pid} ("${holder.command}", since ${holder.started}) is gone, ` +
              `but the nixops it started (pid ${nixops}) still runs; wait for it to finish` +
              (left ? `; its state will be left in ${left}` : ` (if that process is gone, delete ${path})`),
          );
        }
        if (left !== null && adopt) {
          // Replaced in one rename by a lock that names the state: no moment without one.
          const ours = `${temp}.adopt`;
          // Judged to hold what nixops did: marked so (best effort), for a directory an older version kept without the mark.
          try {
            writeFileSync(join(left, NIXOPS_STARTED), "", { mode: 0o600 });
          } catch {
            // The nixops pid copied below still says so.
          }
          const keeping = {
            privateDir: left,
            nixops: holder.nixops,
            nixopsStart: holder.nixopsStart,
            subcommand: holder.subcommand,
            recoverOptions: holder.recoverOptions,
            keptFor: holder.keptFor ?? holder.pid,
            push: holder.push,
            unpushed: holder.unpushed,
          };
          writeFileSync(ours, JSON.stringify({ ...me, ...keeping }) + "\n", { mode: 0o644, flag: "wx" });
          if (removeStale(path, temp, holder, ours)) return new StateLock(path, gitDir, { dir: left, subcommand: holder.subcommand ?? null, push: holder.push === true });
          rmSync(ours, { force: true });
          continue;
        }
        if (left !== null) {
          // A run from the file as it is would not know what that run deployed (and might make it again).
          throw new WrapperError(
            `statefile-merge: the last wrapped run on ${stateFile} (pid ${holder.pid}, "${holder.command}", since ${holder.started}) ended without saving its state, ` +
              `which is left in ${left} (private; it holds secrets): ${nextSteps(holder, left, stateFile)}; then run again (or delete ${left} to go on without it)`,
          );
        }
        if (unpushed) {
          const upstream = holder.unpushed?.upstream.replace(/^refs\/remotes\//, "");
          const how =
            upstream === undefined
              ? `Git could not tell what it wrote, so the lock stays until you delete ${path} (once ${stateFile}'s state is pushed)`
              : `commit ${stateFile} if it is not, and push the commit that holds it to ${upstream} (after git pull --rebase if the push is refused); then run again ` +
                `(if ${upstream} holds that state already, merged with a teammate's, or to go on without it, delete ${path})`;
          throw new WrapperError(
            `statefile-merge: the last wrapped run on ${stateFile} (pid ${holder.pid}, "${holder.command}", since ${holder.started}) wrote its state with --push but it is not pushed, ` +
              `and nobody should deploy from the state before it: ${how}`,
          );
        }
        if (gone) {
          if (removeStale(path, temp, holder)) {
            notice(`statefile-merge: removing a stale lock on ${stateFile}: pid ${holder.pid} (${holder.command}, ${holder.started}) is no longer running`);
            // Killed while importing: its directory holds only the file's own state (and its keys).
            const dir = runDirOf(holder);
            if (dir !== null && diedBeforeNixops(holder, dir)) rmSync(dir, { recursive: true, force: true });
          }
          continue;
        }
        throw new WrapperError(
          `statefile-merge: ${stateFile} is locked by a wrapped nixops run: pid ${holder.pid} on ${holder.host}, ` +
            `"${holder.command}", since ${holder.started}; wait for it to finish (if that process is gone, delete ${path})`,
        );
      }
      throw new WrapperError(`statefile-merge: could not take the lock ${path} for ${stateFile}; try again`);
    } finally {
      unlinkSync(temp);
    }
  }

  /**
   * Adds to what the lock says of its holder (replaced whole, by a rename: never half
   * written); a field set to undefined is dropped. Best effort: false when it could not be
   * written (a full disk), which must not stop a run whose nixops already works.
   */
  record(more: Partial<Pick<LockHolder, "nixops" | "nixopsStart" | "privateDir" | "subcommand" | "recoverOptions" | "push" | "unpushed">>): boolean {
    const temp = `${this.path}.${process.pid}.${randomBytes(4).toString("hex")}`;
    try {
      const holder = readHolder(this.path);
      if (holder?.pid !== process.pid) return false;
      writeFileSync(temp, JSON.stringify({ ...holder, ...more }) + "\n", { mode: 0o644, flag: "wx" });
      renameSync(temp, this.path);
      return true;
    } catch {
      rmSync(temp, { force: true });
      return false;
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
