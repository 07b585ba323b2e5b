// `statefile-merge recover`: bring into the state file the state a wrapped nixops run left in
// its private directory (its export failed, the file changed while it ran, or it was killed).
// It takes over that run's lock, exports the kept statefile as the file commits it (nixExprs
// relative to the repository, the file's separators), merges that with the file as it is now,
// based on the file as the run found it, and deletes the directory. With conflicts, the file
// gets them marked and the directory stays until they are settled; on any failure nothing is
// written and the directory and the lock stay, naming it.

import { existsSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { isObject, type JsonObject } from "../core/values";
import { parseJson } from "../formats/parseJson";
import { stripBom } from "../formats/bom";
import { mergeTexts } from "../pipeline/mergeTexts";
import { conflictStyleFromConfig } from "../git/gitConfig";
import { shellWord } from "../git/shellQuote";
import { writeFileAtomic } from "../io/atomicWrite";
import { writeStderr } from "../io/processOutput";
import { conflictLine } from "../report/mergeReport";
import { fileViewFor } from "../view/fileView";
import { WrapperError } from "./errors";
import { BadExport, changedDeployments, checkNoDeploymentDropped, type RenderedExport } from "./exportedState";
import { askGit } from "./gitQuery";
import { NEXT_STEPS, SAVED_EXPORT, STARTED_FROM, StateLock, type KeptState } from "./lock";
import { detectNixops, nixopsEnv } from "./nixopsCli";
import { committedExport, exportState } from "./stateExport";
import { chooseStateFile } from "./stateFileChoice";

export interface RecoverOptions {
  stateFile?: string;
  /** The nixops executable, to export a statefile the run could not export itself. */
  nixops: string;
  nixopsMajor?: number;
}

const stderrLine = (line: string) => writeStderr(line + "\n");

export async function recoverRun(options: RecoverOptions, stderr: (line: string) => void = stderrLine): Promise<number> {
  let lock: StateLock | null = null;
  try {
    const file = chooseStateFile(options.stateFile);
    lock = StateLock.acquire(file, "statefile-merge recover", stderr, true);
    const kept = lock.adopted;
    if (kept === null) {
      lock.release();
      stderr(`statefile-merge: no wrapped nixops run left a state for ${file} in this clone; nothing to recover`);
      return 0;
    }
    const top = askGit(dirname(resolve(file)), ["rev-parse", "--show-toplevel"]);
    const outcome = await recover(file, kept, top, options, stderr);
    if (outcome === "settled") {
      rmSync(kept.dir, { recursive: true, force: true });
      lock.release();
      stderr(`statefile-merge: deleted ${kept.dir}; commit ${file} and push it${teamLockNote(file)}`);
      return 0;
    }
    // Conflicts marked in the file: the directory and the lock stay until they are settled.
    return 1;
  } catch (e) {
    // The kept directory stays, and the lock (now ours) still names it for the next run.
    if (e instanceof WrapperError) {
      stderr(e.message);
      return e.exitCode;
    }
    if (e instanceof BadExport) {
      stderr(`statefile-merge: ${e.message}; nothing was written`);
      return 1;
    }
    stderr(`statefile-merge: internal error: ${(e as Error).message}; nothing was written`);
    return 1;
  }
}

/** What the team-wide deploy lock of the run may still need. */
function teamLockNote(file: string): string {
  return `; if that run held the team-wide deploy lock, it is still held: your next wrapped run on ${file} here takes it over and releases it`;
}

/** Merges the kept state into the file: "settled", or "conflicts" (marked in the file, the directory kept). */
async function recover(file: string, kept: KeptState, top: string | null, options: RecoverOptions, stderr: (line: string) => void): Promise<"settled" | "conflicts"> {
  const startedFrom = readFileSync(join(kept.dir, STARTED_FROM), "utf8");
  const now = existsSync(file) ? readFileSync(file, "utf8") : "";
  const exported = await keptExport(kept.dir, now, top, options);
  // Merged in, an export that lacks a deployment deletes it from the file: only nixops delete does that.
  checkNoDeploymentDropped(stateDoc(startedFrom), exported.doc, kept.subcommand);

  // A first run (no state before it, none since): its export is the file.
  if (startedFrom.trim() === "" && now.trim() === "") {
    writeFileAtomic(file, exported.text);
    stderr(`statefile-merge: wrote ${file} (${changedDeployments(null, exported.doc).map((c) => `${c.name} ${c.change}`).join(", ") || "no deployment"})`);
    return "settled";
  }
  const markers = { size: 7, ours: `${file} (now)`, base: `${file} (as the run found it)`, theirs: "the kept run's state", style: conflictStyleFromConfig(top ?? undefined) };
  const merged = mergeTexts({ base: startedFrom, ours: now, theirs: exported.text }, { overlay: fileViewFor(top, resolve(file)).overlay, markers });
  if (merged.kind === "fallback") {
    throw new WrapperError(`statefile-merge: cannot merge the kept state into ${file} (${merged.reason}); nothing was written, and ${kept.dir} stays`);
  }
  if (merged.text !== now) writeFileAtomic(file, merged.text);
  if (merged.conflicts.length > 0) {
    for (const c of merged.conflicts) stderr(`statefile-merge: ${conflictLine(c, merged.profile, merged.documents)}`);
    const steps = `${file} holds its state with ${merged.conflicts.length} conflict(s) marked: settle them in an editor (statefile-merge check ${shellWord(file)} finds any left), then delete ${kept.dir}`;
    writeFileSync(join(kept.dir, NEXT_STEPS), steps + "\n", { mode: 0o600 }); // the next run repeats it
    stderr(`statefile-merge: wrote ${file}; ${steps}`);
    return "conflicts";
  }
  const changes = changedDeployments(stateDoc(now), stateDoc(merged.text) as JsonObject);
  stderr(changes.length === 0 ? `statefile-merge: ${file} already holds the kept state` : `statefile-merge: wrote ${file} (${changes.map((c) => `${c.name} ${c.change}`).join(", ")})`);
  return "settled";
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
  const value = parseJson(stripBom(text)).value;
  return isObject(value) ? value : null;
}
