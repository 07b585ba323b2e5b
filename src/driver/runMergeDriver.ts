// Driver mode, the contract Git calls (`merge %O %A %B -p %P -l %L -s %S -x %X -y %Y`):
// read the three files, merge, replace %A atomically, exit 0 (clean) or 1 (conflicts).
// Nothing goes to stdout; every failure falls back to Git's line merge, never to plain ours.

import { readFileSync } from "node:fs";
import { mergeTexts, type MergeResult, type MergeSettings } from "../pipeline/mergeTexts";
import type { ConflictStyle, Markers } from "../formats/renderDocument";
import { conflictStyleFromConfig } from "../git/gitConfig";
import { gitMergeFile, wholeFileConflict } from "../git/mergeFile";
import { writeFileAtomic } from "../io/atomicWrite";
import { autoResolvedLine, conflictLine, reportJson } from "../report/mergeReport";
import { jsonProfile } from "../profiles/json";
import type { Path } from "../core/values";
import type { Side } from "../core/merged";

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
  stderr: (line) => process.stderr.write(line + "\n"),
  stdout: (data) => process.stdout.write(data),
};

/** Git before 2.44 passes %S, %X and %Y literally: treat those as no label. */
function label(given: string | undefined, placeholder: string, fallback: string): string {
  return given === undefined || given === placeholder ? fallback : given;
}

export function runMergeDriver(options: DriverOptions, io: DriverIo = processIo): number {
  const name = options.path ?? options.ours;
  let inputs: { base: Buffer; ours: Buffer; theirs: Buffer };
  try {
    inputs = { base: readFileSync(options.base), ours: readFileSync(options.ours), theirs: readFileSync(options.theirs) };
  } catch (e) {
    io.stderr(`statefile-merge: ${name}: cannot read an input (${(e as Error).message}); check the three file arguments`);
    return 2;
  }
  const markers: Markers = {
    size: options.markerSize && options.markerSize > 0 ? options.markerSize : 7,
    base: label(options.baseLabel, "%S", "base"),
    ours: label(options.oursLabel, "%X", "ours"),
    theirs: label(options.theirsLabel, "%Y", "theirs"),
    style: options.conflictStyle ?? "merge",
  };
  const write = (data: string | Uint8Array) => {
    if (options.output === "-") io.stdout(data);
    else writeFileAtomic(options.output ?? options.ours, data);
  };
  const settle = options.virtualBase ? () => "base" as const : options.settle;

  try {
    const settings: MergeSettings = { ...options.mergeSettings, markers, maxBytes: options.maxBytes, settle };
    let result: MergeResult = mergeTexts(inputs, settings);
    if (result.kind === "merged" && result.conflicts.length > 0 && options.conflictStyle === undefined) {
      // Git does not pass merge.conflictStyle to drivers; read it only when it matters.
      markers.style = conflictStyleFromConfig();
      if (markers.style !== "merge") result = mergeTexts(inputs, settings);
    }
    if (result.kind === "fallback") return lineMerge(options, inputs, markers, result.reason, io, write);

    const { conflicts, autoResolved, profile, documents } = result;
    write(result.text);
    for (const c of conflicts) io.stderr(conflictLine(c, profile, documents));
    for (const a of autoResolved) io.stderr(autoResolvedLine(a, profile, documents));
    if (options.reportJson) writeFileAtomic(options.reportJson, reportJson({ conflicts, autoResolved, fallback: null, profile }));
    return conflicts.length > 0 && !options.virtualBase ? 1 : 0;
  } catch (e) {
    return lineMerge(options, inputs, markers, `internal error: ${(e as Error).message}`, io, write);
  }
}

function lineMerge(
  options: DriverOptions,
  inputs: { base: Buffer; ours: Buffer; theirs: Buffer },
  markers: Markers,
  reason: string,
  io: DriverIo,
  write: (data: string | Uint8Array) => void,
): number {
  const name = options.path ?? options.ours;
  io.stderr(`statefile-merge: ${name}: ${reason}; merging it line by line with git merge-file instead`);
  if (options.conflictStyle === undefined) markers.style = conflictStyleFromConfig();
  let text: Buffer;
  let conflicted: boolean;
  try {
    const r = gitMergeFile(options.ours, options.base, options.theirs, markers);
    text = r.text;
    conflicted = r.conflicts > 0;
  } catch (e) {
    io.stderr(`statefile-merge: ${name}: ${(e as Error).message}; writing both whole files between conflict markers`);
    text = wholeFileConflict(inputs.ours, inputs.base, inputs.theirs, markers);
    conflicted = true;
  }
  write(text);
  if (options.reportJson) {
    writeFileAtomic(options.reportJson, reportJson({ conflicts: [], autoResolved: [], fallback: reason, profile: jsonProfile() }));
  }
  return conflicted && !options.virtualBase ? 1 : 0;
}
