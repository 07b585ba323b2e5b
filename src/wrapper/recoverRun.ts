// `statefile-merge recover`: bring into the state file the state a wrapped nixops run left in
// its private directory (its export failed, the file changed while it ran, or it was killed).
// It takes over that run's lock, exports the kept statefile as the file commits it (nixExprs
// relative to the repository, the file's separators), merges that with the file as it is now,
// based on the file as the run found it, and deletes the directory. With conflicts, the file
// gets them marked and the directory stays until they are settled; on any failure nothing is
// written and the directory and the lock stay, naming it.
//
// Exit status: 0 recovered (or nothing to recover), 1 conflicts marked in the file, 2 nothing
// written (refused, or the export or merge failed).

import { existsSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { isObject, type JsonObject } from "../core/values";
import { stripBom } from "../formats/bom";
import { canonicalText, detectSeparators } from "../formats/nixopsExport";
import { mergeTexts, type MergeResult } from "../pipeline/mergeTexts";
import { conflictStyleFromConfig } from "../git/gitConfig";
import { shellWord } from "../git/shellQuote";
import { writeFileAtomic } from "../io/atomicWrite";
import { writeStderr } from "../io/processOutput";
import { autoResolvedLine, conflictLine } from "../report/mergeReport";
import { fileViewFor } from "../view/fileView";
import { readDocument } from "../view/loadState";
import { firstMarkerLine } from "../formats/conflictMarkers";
import { isGitCryptCiphertext } from "../crypt/gitCrypt";
import { WrapperError } from "./errors";
import { BadExport, changedDeployments, changesText, checkNoDeploymentDropped, type RenderedExport } from "./exportedState";
import { workTreeOf } from "./gitQuery";
import { NEXT_STEPS, SAVED_EXPORT, STARTED_FROM, StateLock, type KeptState } from "./lock";
import { detectNixops, nixopsEnv } from "./nixopsCli";
import { committedExport, exportState } from "./stateExport";
import { pendingPush } from "./statePush";
import { chooseStateFile } from "./stateFileChoice";

export interface RecoverOptions {
  stateFile?: string;
  /** The nixops executable, to export a statefile the run could not export itself. */
  nixops: string;
  nixopsMajor?: number;
}

const stderrLine = (line: string) => writeStderr(line + "\n");

/** Why nothing was written: the kept directory and the lock stay. */
class NotRecovered extends Error {}

export async function recoverRun(options: RecoverOptions, stderr: (line: string) => void = stderrLine): Promise<number> {
  let file: string;
  let lock: StateLock;
  try {
    file = chooseStateFile(options.stateFile);
    lock = StateLock.acquire(file, "statefile-merge recover", stderr, true);
  } catch (e) {
    if (!(e instanceof WrapperError)) throw e;
    stderr(e.message);
    return e.exitCode;
  }
  const kept = lock.adopted;
  if (kept === null) {
    lock.release();
    // A path that names no file may be the wrong path (typed from another directory).
    if (!existsSync(file)) {
      stderr(`statefile-merge: no wrapped nixops run left a state for ${file}, which does not exist; check --state (the path the run's message names)`);
      return 2;
    }
    stderr(`statefile-merge: no wrapped nixops run left a state for ${file} in this clone; nothing to recover`);
    return 0;
  }
  const top = workTreeOf(file);
  let merged: Recovered;
  try {
    merged = await recover(file, kept, top, options, stderr);
  } catch (e) {
    // The kept directory stays, and the lock (now ours) still names it for the next run.
    // A WrapperError's message (from the nixops it runs) names the tool itself already.
    const why =
      e instanceof WrapperError ? e.message.replace(/^statefile-merge: /, "") : e instanceof NotRecovered || e instanceof BadExport ? e.message : `internal error: ${(e as Error).message}`;
    stderr(`statefile-merge: ${why}; nothing was written, and ${kept.dir} stays`);
    return 2;
  }
  if (merged === "conflicts") {
    // A --push run's state: once settled, the lock waits for it to be pushed (it cannot know the settled file).
    if (kept.push) {
      lock.record({ unpushed: null });
      stderr(`statefile-merge: the run was started with --push: once the conflicts are settled, commit ${file}, push it, and delete ${lock.path} too`);
    }
    stderr(`statefile-merge: ${kept.dir} and the lock on ${file} stay until then${teamLockNote(file)}`);
    return 1;
  }
  if (kept.push) {
    // The run was to push its state: the lock now waits for that, as after a --push that failed.
    if (!lock.record({ privateDir: undefined, unpushed: top === null ? null : pendingPush(file, top) })) {
      stderr(`statefile-merge: wrote ${file}, but could not note in the lock ${lock.path} that it is not pushed yet, so ${kept.dir} stays: commit ${file}, push it, then delete ${kept.dir}`);
      return 0;
    }
    rmSync(kept.dir, { recursive: true, force: true });
    stderr(`statefile-merge: deleted ${kept.dir}; the run was started with --push: commit ${file} and push it; until then the next wrapped run here stops, and a team-wide deploy lock that run held stays held`);
    return 0;
  }
  rmSync(kept.dir, { recursive: true, force: true });
  lock.release();
  stderr(`statefile-merge: deleted ${kept.dir}; commit ${file} and push it${teamLockNote(file)}`);
  return 0;
}

/** What the team-wide deploy lock of the run may still need. */
function teamLockNote(file: string): string {
  return `; if that run held the team-wide deploy lock, it is still held: your next wrapped run on ${file} here takes it over and releases it`;
}

type Recovered = "settled" | "conflicts";

/** Merges the kept state into the file: "settled", or "conflicts" (marked in the file); NotRecovered when nothing was written. */
async function recover(file: string, kept: KeptState, top: string | null, options: RecoverOptions, stderr: (line: string) => void): Promise<Recovered> {
  const startedFrom = readFileSync(join(kept.dir, STARTED_FROM), "utf8");
  const bytes = existsSync(file) ? readFileSync(file) : Buffer.alloc(0);
  if (isGitCryptCiphertext(bytes)) throw new NotRecovered(`${file} is git-crypt ciphertext (the repository is locked); run git-crypt unlock, then recover again`);
  const now = bytes.toString("utf8");
  const marker = firstMarkerLine(now);
  if (marker !== null) throw new NotRecovered(`${file}:${marker.line} holds a conflict marker; settle the conflicts first (statefile-merge check ${shellWord(resolve(file))} lists them), then recover again`);
  if (startedFrom.trim() !== "" && now.trim() === "") {
    throw new NotRecovered(`${file} is gone or empty, although the run started from the state it held; restore it (git checkout -- ${shellWord(file)}) and run recover again`);
  }
  const exported = await keptExport(kept.dir, now, top, options);
  // Merged in, an export that lacks a deployment deletes it from the file: only nixops delete does that.
  checkNoDeploymentDropped(stateDoc(startedFrom), exported.doc, kept.subcommand);

  // A first run (no state before it, none since): its export is the file.
  if (startedFrom.trim() === "" && now.trim() === "") {
    writeFileAtomic(file, exported.text);
    stderr(`statefile-merge: wrote ${file} (${describeChanges(null, exported.doc)})`);
    return "settled";
  }
  const markers = { size: 7, ours: `${file} (now)`, base: `${file} (as the run found it)`, theirs: "the kept run's state", style: conflictStyleFromConfig(top ?? undefined) };
  const result = mergeTexts({ base: startedFrom, ours: now, theirs: exported.text }, { overlay: fileViewFor(top, resolve(file)).overlay, markers });
  if (result.kind === "fallback") throw new NotRecovered(`cannot merge the kept state into ${file} (${result.reason})`);
  printLines(result, stderr);
  if (result.conflicts.length > 0) {
    writeFileAtomic(file, result.text);
    const shown = resolve(file); // repeated by later runs, which may start elsewhere
    const steps = `${shown} holds its state with ${result.conflicts.length} conflict(s) marked: settle them in an editor (statefile-merge check ${shellWord(shown)} finds any left), then delete ${kept.dir}`;
    try {
      writeFileSync(join(kept.dir, NEXT_STEPS), steps + "\n", { mode: 0o600 }); // the next run repeats it
    } catch {
      // Best effort: the next run then names recover, which refuses a file with markers, saying so.
    }
    stderr(`statefile-merge: wrote ${file}; ${steps}`);
    return "conflicts";
  }
  // Written as the wrapper writes an export: NixOps' layout, with the separators the file has.
  const merged = stateDoc(result.text) as JsonObject;
  const text = canonicalText(merged, detectSeparators(stripBom(now)) ?? "py3");
  if (text !== now) writeFileAtomic(file, text);
  const changes = describeChanges(stateDoc(now), merged);
  stderr(changes === "" ? `statefile-merge: ${file} already holds the kept state` : `statefile-merge: wrote ${file} (${changes})`);
  return "settled";
}

/** Conflict and auto-resolved lines, as the driver prints them. */
function printLines(result: Extract<MergeResult, { kind: "merged" }>, stderr: (line: string) => void): void {
  for (const c of result.conflicts) stderr(`statefile-merge: ${conflictLine(c, result.profile, result.documents)}`);
  for (const a of result.autoResolved) stderr(autoResolvedLine(a, result.profile, result.documents));
}

/** "prod changed, dev added"; empty when no deployment differs as values. */
function describeChanges(before: JsonObject | null, after: JsonObject): string {
  return changesText(changedDeployments(before, after));
}

/** The run's export: saved already when the file changed while it ran, else made now from its statefile. */
async function keptExport(dir: string, now: string, top: string | null, options: RecoverOptions): Promise<RenderedExport> {
  const previous = now.trim() === "" ? null : now;
  const saved = join(dir, SAVED_EXPORT);
  if (existsSync(saved)) return committedExport(readFileSync(saved, "utf8"), previous, top);
  const statefile = join(dir, "state.nixops");
  const nixops = detectNixops(options.nixops, process.env, options.nixopsMajor);
  return committedExport(await exportState(nixops, statefile, nixopsEnv(statefile)), previous, top);
}

/** A state file's text as a document; null when it holds none (empty: no state yet). */
function stateDoc(text: string): JsonObject | null {
  if (text.trim() === "") return null;
  const value = readDocument(text);
  return isObject(value) ? value : null;
}
