// `statefile-merge nixops`: import the committed export into a throw-away statefile in a
// private directory, run nixops on it, export it back into the state file, and remove the
// statefile (it holds private keys) on every way out. nixops' exit status is passed through;
// the state is exported after a failure or Ctrl-C too, since nixops may have changed it.
// A run that changes state also holds the team-wide deploy lock on the shared remote and
// needs a branch that is not behind its upstream (teamGuard). The state file is written only
// when the state changed as values.

import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { processStart } from "../io/processStart";
import { shellWord } from "../git/shellQuote";
import { writeStderr } from "../io/processOutput";
import { join, resolve } from "node:path";
import { writeFileAtomic } from "../io/atomicWrite";
import { commitMessage, commitStateFile, refuseUncommitted } from "./commitState";
import { WrapperError } from "./errors";
import { BadExport, changedDeployments, changesText, checkNoDeploymentDropped, DroppedDeployments, type RenderedExport } from "./exportedState";
import { committedExport, exportState, NIXOPS_UMASK } from "./stateExport";
import { workTreeOf } from "./gitQuery";
import { mergeInSteps, NEXT_STEPS, NIXOPS_STARTED, RUN_DIR_PREFIX, SAVED_EXPORT, STARTED_FROM, StateLock } from "./lock";
import { committedNixExprs, localNixExprs } from "./nixExprsPaths";
import { describeCommand, detectNixops, nixopsEnv, withStatefile, type Nixops } from "./nixopsCli";
import { checkStateFile, type StateInput } from "./preflight";
import { runChild, signalStatus } from "./processes";
import type { RemoteLock } from "./remoteLock";
import { chooseStateFile } from "./stateFileChoice";
import { changesState, subcommandOf } from "./subcommands";
import { guardTeamRun, type TeamOptions } from "./teamGuard";
import { commitIdentity, pendingPush, pushCommand, pushProblem, pushToUpstream, type PendingPush } from "./statePush";
import { trackedUpstream } from "./upstream";
import { canonicalText } from "../formats/nixopsExport";
import { parseJson } from "../formats/parseJson";
import type { JsonObject } from "../core/values";

export interface WrapOptions extends TeamOptions {
  /** --state; without it deployments.nixops.json, which must then exist. */
  stateFile?: string;
  nixopsArgs: string[];
  /** The nixops executable (a name on PATH or a path). */
  nixops: string;
  /** Skip `nixops --version` and treat nixops as this major version. */
  nixopsMajor?: number;
  commit: boolean;
  /** Also push the commit to the branch's upstream before the team-wide lock is released. */
  push?: boolean;
}

export interface WrapIo {
  stderr(line: string): void;
}

// Straight to fd 2, errors ignored: a stderr nobody reads any more (a `| tee` killed by the
// same Ctrl-C, a closed terminal) must not end the run before its state is saved.
const processIo: WrapIo = { stderr: (line) => writeStderr(line + "\n") };
const SIGNALS: NodeJS.Signals[] = ["SIGINT", "SIGTERM", "SIGHUP"];

/** Signals arriving while we run: remembered, forwarded to nixops where the terminal did not. */
class SignalGuard {
  received: NodeJS.Signals | null = null;
  private kill: ((s: NodeJS.Signals) => void) | null = null;
  private readonly handler = (signal: NodeJS.Signals) => {
    if (this.received === null) {
      this.io.stderr(`statefile-merge: got ${signal}; letting nixops stop, then exporting the state and removing the temporary statefile`);
    }
    this.received ??= signal;
    // Ctrl-C already reached nixops through the terminal's process group; others did not.
    if (signal !== "SIGINT") this.kill?.(signal);
  };

  constructor(private readonly io: WrapIo) {
    for (const s of SIGNALS) process.on(s, this.handler);
  }

  child(kill: ((s: NodeJS.Signals) => void) | null): void {
    this.kill = kill;
  }

  dispose(): void {
    for (const s of SIGNALS) process.off(s, this.handler);
  }
}

export async function runWrapped(options: WrapOptions, io: WrapIo = processIo): Promise<number> {
  let file: string;
  try {
    file = chooseStateFile(options.stateFile);
  } catch (e) {
    if (!(e instanceof WrapperError)) throw e;
    io.stderr(e.message);
    return e.exitCode;
  }
  const command = describeCommand(options.nixopsArgs);
  const signals = new SignalGuard(io);
  let lock: StateLock | null = null;
  let teamLock: RemoteLock | null = null;
  let dir: string | null = null;
  let keepDir = false;
  /** nixops has run and its state is not in the state file yet: never delete it then. */
  let unsaved = false;
  /** --push wrote the file and its state is not on the upstream yet: both locks stay until it is (StateLock, stillUnpushed). */
  let unpushed = false;
  /** What the lock records of that state (statePush.ts, PendingPush). */
  let pending: PendingPush | null = null;
  /** The work tree holding the file (null: none), asked once the lock is taken. */
  let top: string | null = null;
  // What `statefile-merge recover` needs to run the nixops this run uses (a path made absolute: it may run elsewhere).
  const recoverOptions = [
    ...(options.nixops !== "nixops" ? ["--nixops", options.nixops.includes("/") ? resolve(options.nixops) : options.nixops] : []),
    ...(options.nixopsMajor ? ["--nixops-version", String(options.nixopsMajor)] : []),
  ];
  const recoverSteps = () => mergeInSteps(dir as string, file, recoverOptions);
  /** Keeps the run's directory, the only copy of what this run did, and what to do with it (`steps`), which the next run repeats. */
  const keep = (steps: string) => {
    keepDir = true;
    try {
      writeFileSync(join(dir as string, NEXT_STEPS), steps + "\n", { mode: 0o600 });
    } catch {
      // Best effort: the next run then names the usual steps.
    }
  };
  const keepStatefile = (steps = recoverSteps()) => {
    keep(steps);
    io.stderr(
      `statefile-merge: the statefile of this run is kept at ${join(dir as string, "state.nixops")} (private; it holds secrets), ` +
        `and wrapped runs on ${file} stop until it is dealt with: ${steps}${teamLockKept()}`,
    );
  };
  /** What a kept state means for the team-wide lock, which stays held with it (cleanUp). */
  const teamLockKept = () =>
    teamLock === null
      ? ""
      : `; the team-wide deploy lock stays held meanwhile, so teammates wait: your next wrapped run here takes it over, or, once ${file} holds this run's state and is pushed, ${teamLock.releaseCommand()} releases it`;
  /** --push: the commit onto the upstream; null when it is there, else why not. */
  const pushCommit = (top: string): string | null => {
    const failed = pushToUpstream(top);
    if (failed !== null) return failed;
    unpushed = false;
    lock?.record({ unpushed: undefined });
    io.stderr(`statefile-merge: pushed the commit of ${file} to its upstream`);
    return null;
  };
  /** What a --push run that could not finish says: how to finish, and that the locks wait for it. */
  const unpushedNotice = () => {
    const upstream = top === null ? null : trackedUpstream(top);
    const push = upstream === null ? "push it" : `push it (${pushCommand(upstream).map(shellWord).join(" ")}; git pull --rebase first if it is refused)`;
    const team = teamLock === null ? "" : `, and the team-wide deploy lock stays held so that no teammate deploys from the state before it (${teamLock.releaseCommand()} releases it by hand)`;
    io.stderr(`statefile-merge: ${file} holds this run's state but it is not pushed: commit ${file} if it is not, then ${push}; until then the next wrapped run here stops${team}`);
  };
  const cleanUp = () => {
    // State nixops made that the file does not hold yet is never deleted, and the locks stay,
    // naming it: the next run here stops and says what to do (StateLock.acquire), and
    // teammates wait. So even an end this code did not foresee (an uncaught error,
    // process.exit) loses nothing.
    const leftBehind = keepDir || unsaved;
    if (dir !== null && !leftBehind) rmSync(dir, { recursive: true, force: true });
    if (!leftBehind && !unpushed) teamLock?.release(io.stderr);
    if (!leftBehind && !unpushed) lock?.release();
  };
  // Last resort: even process.exit() from an unexpected error runs this.
  process.on("exit", cleanUp);
  try {
    const nixops = detectNixops(options.nixops, process.env, options.nixopsMajor);
    lock = StateLock.acquire(file, command, io.stderr);
    top = workTreeOf(file);
    const input = checkStateFile(file, top);
    const changing = changesState(options.nixopsArgs);
    const commit = options.commit || options.push === true;
    if (commit && top !== null && changing) refuseUncommitted(file);
    const pushing = options.push === true && changing;
    const cannotPush = !pushing ? null : top === null ? `${file} is not in a Git repository` : pushProblem(top);
    if (cannotPush !== null) throw new WrapperError(`statefile-merge: --push cannot push: ${cannotPush}; nixops was not run`);
    if (changing) teamLock = guardTeamRun(file, top, command, options, io.stderr);
    dir = mkdtempSync(join(lock.runsDir(), RUN_DIR_PREFIX)); // 0700
    const statefile = join(dir, "state.nixops");
    // What the run starts from, kept beside its statefile: the base to merge its state with
    // when the file changes meanwhile, or when this process is killed outright (StateLock).
    const startedFrom = join(dir, STARTED_FROM);
    writeFileSync(startedFrom, input?.fileText ?? "", { mode: 0o600 });
    if (!lock.record({ privateDir: dir, subcommand: subcommandOf(options.nixopsArgs) ?? undefined, recoverOptions, push: pushing || undefined })) io.stderr(`statefile-merge: could not note ${dir} in the lock ${lock.path}; if this run is killed, its state is there`);
    const env = nixopsEnv(statefile);

    if (input === null) io.stderr(`statefile-merge: ${file} ${existsSync(file) ? "is empty" : "does not exist yet"}; nixops starts from an empty state`);
    else await importState(nixops, statefile, env, file, importText(input, top));
    if (signals.received) throw new WrapperError(`statefile-merge: interrupted before nixops ran; ${file} is unchanged`, signalStatus(signals.received));
    // From here the statefile may come to hold what nixops did (a wrapper killed before leaves only the import).
    writeFileSync(join(dir, NIXOPS_STARTED), "", { mode: 0o600 });

    const run = await runChild(nixops.executable, withStatefile(nixops, options.nixopsArgs, statefile), {
      env,
      umask: NIXOPS_UMASK,
      stdout: "inherit",
      onSpawn: (kill, pid) => {
        signals.child(kill);
        if (pid === undefined) return; // not started
        // From here the statefile may hold what nixops did: kept unless the file gets it.
        unsaved = true;
        lock?.record({ nixops: pid, nixopsStart: processStart(pid) });
      },
    });
    signals.child(null);
    unsaved = true;

    let exported: RenderedExport;
    try {
      exported = committedExport(await exportState(nixops, statefile, env), input?.text ?? null, top);
      checkNoDeploymentDropped(input?.doc ?? null, exported.doc, subcommandOf(options.nixopsArgs));
    } catch (e) {
      if (!(e instanceof BadExport)) throw e;
      io.stderr(`statefile-merge: ${e.message}; ${file} is not written by this run`);
      if (e instanceof DroppedDeployments) {
        // Its export lacks them too: merged in, it would delete them from the file.
        const sf = shellWord(join(dir, "state.nixops"));
        keepStatefile(`do not merge its export, which lacks ${e.names}: find out why (NIXOPS_STATE=${sf} nixops info), bring what this run deployed into ${shellWord(file)} by hand, then delete ${dir}`);
      } else keepStatefile();
      return run.status !== 0 ? run.status : 1;
    }

    // Compared in committed form: a file whose only difference is absolute nixExprs is no change.
    if (input && top) committedNixExprs(input.doc, top);
    const changes = changedDeployments(input?.doc ?? null, exported.doc);
    if (changes.length > 0 && changedMeanwhile(file, input)) {
      // A pull (or an edit) while nixops ran: writing the export would undo it unseen.
      const saved = join(dir, SAVED_EXPORT);
      writeFileSync(saved, exported.text, { mode: 0o600 });
      const steps = recoverSteps();
      keep(steps);
      io.stderr(
        `statefile-merge: ${file} changed while nixops ran (a git pull, or an edit), so it is not overwritten; ` +
          `this run's state is saved at ${saved} (private; it holds secrets), and wrapped runs on ${file} stop until it is merged in: ${steps}${teamLockKept()}`,
      );
      return run.status !== 0 ? run.status : 1;
    }
    if (changes.length > 0) {
      writeFileAtomic(file, exported.text);
      io.stderr(`statefile-merge: wrote ${file} (${changesText(changes)})`);
      // Under --push, both locks wait for this state to reach the upstream (even if this process dies now).
      if (pushing) {
        unpushed = true;
        pending = top === null ? null : pendingPush(file, top);
        if (!lock.record({ unpushed: pending })) io.stderr(`statefile-merge: could not note in the lock ${lock.path} that ${file} is not pushed yet; make sure it is pushed before anyone deploys again`);
      }
    }
    unsaved = false; // the file holds this run's state: written just now, or it had it already
    lock.record({ privateDir: undefined }); // nothing is left behind if this process dies now
    let status = run.status;
    if (status !== 0) io.stderr(`statefile-merge: ${command} exited with status ${status}; the state it left is exported to ${file}`);
    if (signals.received && status === 0) status = signalStatus(signals.received);

    if (commit) {
      if (signals.received) io.stderr(`statefile-merge: interrupted, so ${file} is written but not committed`);
      // Not even `git add`: edits of the user's own in FILE are not this command's to commit.
      else if (changes.length === 0) io.stderr(`statefile-merge: ${file} has no changes to commit`);
      else if (commitStateFile(file, commitMessage(command, changes, status))) {
        io.stderr(`statefile-merge: committed ${file}`);
        const failed = pushing && top !== null ? pushCommit(top) : null;
        if (failed !== null) {
          // The commit as a rebase keeps it, so that pushing it after `git pull --rebase` counts.
          const identity = top === null ? null : commitIdentity(top);
          if (pending && identity) lock.record({ unpushed: { ...pending, commit: identity } });
          io.stderr(`statefile-merge: could not push the commit of ${file} (${failed})`);
          if (status === 0) status = 1;
        }
      } else io.stderr(`statefile-merge: ${file} has no changes to commit`);
    }
    if (unpushed) unpushedNotice();
    return status;
  } catch (e) {
    const expected = e instanceof WrapperError;
    io.stderr(expected ? e.message : `statefile-merge: internal error: ${(e as Error).message}`);
    if (!expected && unsaved) keepStatefile();
    if (unpushed) unpushedNotice();
    return expected ? e.exitCode : 1;
  } finally {
    cleanUp();
    process.off("exit", cleanUp);
    signals.dispose();
  }
}

/** The state file no longer holds what nixops started from (absent or empty then, something now). */
function changedMeanwhile(file: string, input: StateInput | null): boolean {
  const now = existsSync(file) ? readFileSync(file, "utf8") : null;
  if (input === null) return now !== null && now.trim() !== "";
  return now !== input.fileText;
}

/** What `nixops import` gets: the file as committed, with nixExprs made absolute for this checkout. */
function importText(input: StateInput, top: string | null): string {
  if (top === null) return input.text;
  const doc = parseJson(input.text).value as JsonObject; // a copy: input.doc stays the committed state
  return localNixExprs(doc, top) ? canonicalText(doc, "py3") : input.text;
}

/** `nixops import` of the state file into the fresh statefile (stdin), out of Ctrl-C's reach. */
async function importState(nixops: Nixops, statefile: string, env: NodeJS.ProcessEnv, file: string, text: string): Promise<void> {
  const r = await runChild(nixops.executable, withStatefile(nixops, ["import"], statefile), {
    env,
    umask: NIXOPS_UMASK,
    input: Buffer.from(text, "utf8"),
    stdout: "stderr",
    detached: true,
  });
  if (r.status !== 0) {
    throw new WrapperError(`statefile-merge: nixops import of ${file} failed (exit ${r.status}); nixops was not run and ${file} is unchanged`, r.status);
  }
}
