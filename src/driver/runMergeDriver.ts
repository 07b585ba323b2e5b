// Driver mode, the contract Git calls (`merge %O %A %B -p %P -l %L -s %S -x %X -y %Y`):
// read the three files, merge, replace %A atomically, exit 0 (clean) or 1 (conflicts).
// Nothing goes to stdout; every failure falls back to Git's line merge, never to plain ours.

import { mergeStates, renderOutcome, resourceLimitReason, withRecordRuns, type MergeInputs, type MergeSettings } from "../pipeline/mergeTexts";
import { DEFAULT_MARKERS, type ConflictStyle, type Markers } from "../formats/renderDocument";
import { conflictStyleFromConfig, conflictStyleOnCommandLine } from "../git/gitConfig";
import { withRepositoryLabels } from "../git/labels";
import { ftruncateSync } from "node:fs";
import { fdSink, gitMergeFile, wholeFileConflictFromFiles } from "../git/mergeFile";
import { replaceFileAtomic, writeFileAtomic, type WriteOptions } from "../io/atomicWrite";
import { readDriverInputs, readDriverInputsAtOnce, type ReadOutcome } from "./readInputs";
import { outputProblem } from "./outputTarget";
import { autoResolvedLine, conflictLine, reportJson } from "../report/mergeReport";
import { fileViewFor } from "../view/fileView";
import type { Path } from "../core/values";
import type { Side } from "../core/merged";
import { isEncryptedMerge, mergeEncrypted } from "./encryptedMerge";
import { mark } from "./timing";
import { stopMerge } from "./resultNotWritten";
import { errnoWords } from "../io/errnoWords";
import { writeStderr, writeStdout } from "../io/processOutput";

// The bin ends the process through this once the driver has returned its exit code.
export { endProcess } from "../io/processOutput";

export interface DriverOptions {
  base: string;
  ours: string;
  theirs: string;
  /** %P: the path in the work tree, for messages only; never written. */
  path?: string;
  markerSize?: number;
  baseLabel?: string;
  oursLabel?: string;
  theirsLabel?: string;
  /** "-" for stdout; default: replace the ours file. */
  output?: string;
  reportJson?: string;
  conflictStyle?: ConflictStyle;
  /** The recursive driver for criss-cross merges: conflicts take the base value, exit 0. */
  virtualBase?: boolean;
  maxBytes?: number;
  /** Settle some conflicts to a side (used by `resolve`). */
  settle?: (path: Path) => Side | undefined;
  mergeSettings?: Partial<MergeSettings>;
}

export interface DriverIo {
  stderr(line: string): void;
  stdout(data: string | Uint8Array): void;
}

export const processIo: DriverIo = {
  stderr: (line) => writeStderr(line + "\n"),
  stdout: writeStdout,
};

export { EXIT_ABORT_MERGE } from "./resultNotWritten";

/** A path for a one-line message: control characters (a newline in a file name) as "?". */
function printable(path: string): string {
  return path.replace(/[\u0000-\u001f\u007f]/g, "?");
}

/** Git before 2.44 passes %S, %X and %Y literally: treat those as no label. */
function label(given: string | undefined, placeholder: string, fallback: string): string {
  if (given === undefined || given === placeholder) return fallback;
  // A marker is one line: a newline in a label (a renamed path holding one) would end it early.
  return given.replace(/[\u0000-\u001f\u007f]/g, " ");
}

/** Git's %A is its own temporary file, read back and deleted at once: flushed to disk only for -o. */
function resultWriteOptions(options: DriverOptions): WriteOptions {
  return { durable: options.output !== undefined };
}

/**
 * As runMergeDriver, with the three inputs read at once off the main thread: what the bin runs
 * for Git (a large state's three reads take about as long as one).
 */
export async function runMergeDriverReadingAtOnce(options: DriverOptions, io: DriverIo = processIo): Promise<number> {
  mark("driver loaded");
  const problem = outputProblems(options);
  return runMergeDriver(options, io, problem === null ? await readDriverInputsAtOnce(options, options.maxBytes) : unwritable(problem));
}

/** Why the result could not be written where asked, or null. */
function outputProblems(options: DriverOptions): string | null {
  return (
    (options.output === "-" ? null : outputProblem(options.output ?? options.ours, options.output ? "output" : "ours (%A) file", options.output !== undefined)) ??
    (options.reportJson ? outputProblem(options.reportJson, "report file") : null)
  );
}

/** No inputs are read when the result could not be written: the problem stands in their place. */
function unwritable(problem: string): ReadOutcome {
  return { kind: "unreadable", message: problem };
}

/**
 * `given`: what runMergeDriverReadingAtOnce found (the inputs, or why not); otherwise the
 * output is checked and the inputs are read here.
 */
export function runMergeDriver(options: DriverOptions, io: DriverIo = processIo, given?: ReadOutcome): number {
  if (given === undefined) mark("driver loaded");
  // `git -c merge.conflictStyle=...` for this one command outranks the style on the driver line.
  options = { ...options, conflictStyle: conflictStyleOnCommandLine() ?? options.conflictStyle };
  const name = printable(options.path ?? options.ours);
  const read = given ?? readHere(options);
  if (read.kind === "unreadable") {
    io.stderr(`statefile-merge: ${name}: ${read.message}`);
    return 2;
  }
  // git-crypt ciphertext (NUL bytes, so before the binary guard): merge the plaintext, store it encrypted.
  if (read.kind === "read" && isEncryptedMerge(read.inputs)) return mergeEncrypted(options, read.inputs, io, runMergeDriver);
  // Git < 2.44 passes %S/%X/%Y literally: withRepositoryLabels works them out from the repository.
  const markers: Markers = withRepositoryLabels({
    size: options.markerSize && options.markerSize > 0 ? options.markerSize : DEFAULT_MARKERS.size,
    base: label(options.baseLabel, "%S", DEFAULT_MARKERS.base),
    ours: label(options.oursLabel, "%X", DEFAULT_MARKERS.ours),
    theirs: label(options.theirsLabel, "%Y", DEFAULT_MARKERS.theirs),
    style: options.conflictStyle ?? DEFAULT_MARKERS.style,
  }, options);
  const write = (data: string | readonly Uint8Array[]) => {
    if (options.output === "-") io.stdout(typeof data === "string" ? data : Buffer.concat(data));
    else writeFileAtomic(options.output ?? options.ours, data, resultWriteOptions(options));
  };
  const settle = options.virtualBase ? () => "base" as const : options.settle;
  // Too large to merge structurally: Git merges the files where they are, never read in here.
  if (read.kind === "tooLarge") return lineMerge(options, markers, read.reason, io);
  const inputs = read.inputs;
  mark("inputs read");

  let made: Made;
  try {
    // How this file is read (Git runs drivers at the top of the work tree; %P names the file).
    const view = fileViewFor(process.cwd(), options.path ?? options.ours);
    if (view.problem) return lineMerge(options, markers, view.problem, io);
    const settings: MergeSettings = { overlay: view.overlay, ...options.mergeSettings, maxBytes: options.maxBytes, settle };
    made = mergeWithRuns(inputs, settings, markers, options);
  } catch (e) {
    return lineMerge(options, markers, e instanceof RangeError ? resourceLimitReason(e) : `internal error: ${(e as Error).message}`, io);
  }
  if (made.method !== "structured") return lineMerge(options, markers, made.reason, io);
  try {
    write(made.chunks);
  } catch (e) {
    // Writing a line merge instead would fail alike: the merge stops, ours as it was.
    return stopMerge((line) => io.stderr(line), name, options.output ?? options.ours, e as Error);
  }
  mark("written");
  for (const line of made.lines) io.stderr(line);
  if (made.report !== null) writeReport(options.reportJson as string, made.report, name, io);
  return made.conflicts > 0 && !options.virtualBase ? 1 : 0;
}

/** What a structured merge writes: the result, the stderr lines and the report, all made before any is written. */
type Made = { method: "structured"; chunks: Buffer[]; lines: string[]; report: string | null; conflicts: number } | { method: "git merge-file"; reason: string };

/**
 * The merge with runs of unchanged records taken as one piece (formats/sharedEntries.ts,
 * SharedRun), which only saves work; made again without them if anything looked inside one
 * (withRecordRuns). Nothing is written until it is done, so that retry leaves no trace.
 */
function mergeWithRuns(inputs: MergeInputs, settings: MergeSettings, markers: Markers, options: DriverOptions): Made {
  // Git does not pass merge.conflictStyle to drivers; read it only when it matters, and once.
  let styleRead = options.conflictStyle !== undefined;
  const readStyle = () => {
    if (styleRead) return;
    styleRead = true;
    markers.style = conflictStyleFromConfig();
    mark("conflict style read");
  };
  return withRecordRuns(settings, (tried) => makeMerge(inputs, tried, markers, options, readStyle));
}

function makeMerge(inputs: MergeInputs, settings: MergeSettings, markers: Markers, options: DriverOptions, readStyle: () => void): Made {
  const outcome = mergeStates(inputs, settings);
  mark("merged");
  if (outcome.method !== "structured") return outcome;
  const { conflicts, autoResolved, profile, documents, warnings } = outcome;
  if (conflicts.length > 0) readStyle();
  const chunks = renderOutcome(outcome, markers);
  const lines = [
    ...conflicts.map((c) => `statefile-merge: ${conflictLine(c, profile, documents)}`),
    ...autoResolved.map((a) => autoResolvedLine(a, profile, documents)),
    ...warnings.map((w) => `statefile-merge: warning: ${profile.describePath(w.path, documents)}: ${w.message}`),
  ];
  const report = options.reportJson ? reportJson({ conflicts, autoResolved, fallback: null, profile }) : null;
  return { method: "structured", chunks, lines, report, conflicts: conflicts.length };
}

/** The output checked, then the inputs read one after the other. */
function readHere(options: DriverOptions): ReadOutcome {
  const problem = outputProblems(options);
  return problem === null ? readDriverInputs(options, options.maxBytes) : unwritable(problem);
}

function lineMerge(options: DriverOptions, markers: Markers, reason: string, io: DriverIo): number {
  const name = printable(options.path ?? options.ours);
  io.stderr(`statefile-merge: ${name}: ${reason}; merging it line by line with git merge-file instead`);
  if (options.conflictStyle === undefined) markers.style = conflictStyleFromConfig();
  const files = { ours: options.ours, base: options.base, theirs: options.theirs };
  const mergeInto = (fd: number | undefined, sink: (chunk: Uint8Array) => void): boolean => {
    try {
      const r = gitMergeFile(options.ours, options.base, options.theirs, markers, fd);
      if (fd === undefined) sink(r.text);
      return r.conflicts > 0;
    } catch (e) {
      io.stderr(`statefile-merge: ${name}: ${(e as Error).message}; writing both whole files between conflict markers`);
      if (fd !== undefined) ftruncateSync(fd, 0);
      wholeFileConflictFromFiles(files, markers, sink);
      return true;
    }
  };
  let conflicted: boolean;
  const target = options.output ?? options.ours;
  try {
    if (options.output === "-") conflicted = mergeInto(undefined, (chunk) => io.stdout(chunk));
    else conflicted = replaceFileAtomic(target, (fd) => mergeInto(fd, fdSink(fd)), resultWriteOptions(options));
  } catch (e) {
    return stopMerge((line) => io.stderr(line), name, target, e as Error);
  }
  if (options.reportJson) writeReport(options.reportJson, reportJson({ conflicts: [], autoResolved: [], fallback: reason, profile: null }), name, io);
  return conflicted && !options.virtualBase ? 1 : 0;
}

/** The --report-json file, written after the result: when it cannot be, the result stands and stderr says so. */
function writeReport(file: string, report: string, name: string, io: DriverIo): void {
  try {
    writeFileAtomic(file, report);
  } catch (e) {
    io.stderr(`statefile-merge: ${name}: cannot write the report to ${JSON.stringify(file)} (${errnoWords(e as Error)}); the merge result is written`);
  }
}
