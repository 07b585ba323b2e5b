// The merge as stages, from three file contents to one outcome, and rendering apart from it:
//   mergeStates: frame NixOps exports and cut what all three share -> read the rest record by
//                record (or whole, with the cut put back) -> else read the whole files and
//                choose the profile -> merge
//   renderOutcome: the merged value with markers (labels, %L, conflict style) -> bytes
// Asking for other markers (diff3) re-renders the same outcome; nothing merges twice. No
// files, processes or Git here; the driver does those. What cannot be merged structurally
// comes back as the `git merge-file` method with the reason.

import { ABSENT, type JsonValue, type Path, type Slot } from "../core/values";
import { mergeDocuments } from "../core/mergeValues";
import { Hunk, type AutoResolved, type Conflict, type Merged, type MergeWarning, type Side } from "../core/merged";
import { pathKey, type KnownMerge } from "../core/policy";
import { JsonParseError, parseJson, type ParsedJson } from "../formats/parseJson";
import { firstMarkerLine } from "../formats/conflictMarkers";
import { stripBom } from "../formats/bom";
import { renderChunks, type Layout, type Markers } from "../formats/renderDocument";
import { readFramedExports } from "../formats/fastNixopsRead";
import { frameExports, type ExportFrames } from "../formats/exportFrames";
import { cutSharedEntries, putBackShared, reducedInputs, RunInspected, SharedEntry, type SharedCut } from "../formats/sharedEntries";
import { inputBytes } from "../formats/inputBytes";
import { NO_OVERLAY, type Overlay } from "../profiles/overlay";
import { buildProfile, chooseProfile } from "../profiles/table";
import type { Profile } from "../profiles/profile";
import type { ProfileRow } from "../profiles/profileRow";
import { KIND_MERGES } from "./kindMerge";
import { framedRow, KIND_READINGS } from "./kindReading";

export const DEFAULT_MAX_BYTES = 256 * 1024 * 1024;
export const INPUT_NAMES = ["base", "ours", "theirs"] as const;
export type InputName = (typeof INPUT_NAMES)[number];

export interface MergeInputs {
  base: Uint8Array | string;
  ours: Uint8Array | string;
  theirs: Uint8Array | string;
}

export interface MergeSettings {
  maxBytes?: number;
  /** Settle conflicts instead of writing hunks: to the base for a virtual base, or as resolve asks. */
  settle?: (path: Path) => Side | undefined;
  /** The file view's policy overlay (view/fileView.ts); none: the profile table alone. */
  overlay?: Overlay;
  /** Parse the whole files even where the record-by-record reading applies (tests compare the two). */
  wholeParse?: boolean;
  /** Read what all three files share too, instead of cutting it out first (tests compare the two). */
  noSharedCut?: boolean;
  /**
   * Take records no side changed that follow each other as runs (sharedEntries.ts, SharedRun):
   * only through withRecordRuns, which merges again without runs if anything looks inside one.
   */
  recordRuns?: boolean;
}

/** What a structured merge produced, before any rendering. */
export interface StructuredOutcome {
  method: "structured";
  /** Which reading took the inputs: record by record (canonical NixOps) or the whole files. */
  reading: string;
  merged: Merged;
  conflicts: Conflict[];
  autoResolved: AutoResolved[];
  /** Where the merge did less than asked (a keyed array merged as one value), for stderr. */
  warnings: MergeWarning[];
  profile: Profile;
  /** Parsed base, ours, theirs (for naming deployments in messages). */
  documents: Slot[];
  layout: Layout;
  /** The whole file as the kind writes it apart from `merged` (two unrelated histories: both files between markers). */
  wholeText?: (markers: Markers) => string;
}

export type MergeOutcome = StructuredOutcome | { method: "git merge-file"; reason: string };

export type MergeResult =
  | (Omit<StructuredOutcome, "method" | "reading" | "merged" | "layout"> & {
      kind: "merged";
      text: string;
      /** The same text as UTF-8 bytes in chunks, when the writer made bytes (then `text` is decoded on first read). */
      chunks?: readonly Uint8Array[];
    })
  | { kind: "fallback"; reason: string };

class Fallback extends Error {}

/** Three documents read, with where a key was written twice and how ours is laid out. */
interface ReadStates {
  values: Slot[];
  profile: Profile;
  layout: Layout;
  duplicates: Map<string, Partial<Record<Side, JsonValue[]>>>;
  /** Merges the reading already found (records only theirs changed). */
  knownMerges?: ReadonlyMap<object, KnownMerge>;
}

export function mergeStates(inputs: MergeInputs, settings: MergeSettings = {}): MergeOutcome {
  const maxBytes = settings.maxBytes ?? DEFAULT_MAX_BYTES;
  try {
    const framed = framedExports(inputs, settings, maxBytes);
    const outcome = framed && mergeFramed(framed.row, framed.frames, framed.cut, settings, maxBytes);
    if (outcome) return outcome;
    const states = readWholeFiles(inputs, settings, maxBytes);
    return "method" in states ? states : mergeRead(states, "whole files", settings);
  } catch (e) {
    if (e instanceof Fallback) return { method: "git merge-file", reason: e.message };
    if (e instanceof RangeError) return { method: "git merge-file", reason: resourceLimitReason(e) };
    throw e;
  }
}

/**
 * Files in their kind's exact frame (NixOps exports, exportFrames.ts), with what all three hold
 * byte for byte cut out (sharedEntries.ts); null when the files are not, or the profile asked
 * for has no framed reading (kindReading.ts).
 */
function framedExports(inputs: MergeInputs, settings: MergeSettings, maxBytes: number): { row: ProfileRow; frames: ExportFrames; cut: SharedCut | null } | null {
  const row = framedRow((settings.overlay ?? NO_OVERLAY).profile);
  if (row === null) return null;
  const bufs = INPUT_NAMES.map((n) => inputBytes(inputs[n]));
  if (bufs.some((b) => b.length > maxBytes)) return null;
  const cutting = !settings.noSharedCut;
  const frames = frameExports(bufs[0], bufs[1], bufs[2], { frameSame: !cutting, runs: cutting && settings.recordRuns === true });
  if (frames === null) return null;
  return { row, frames, cut: cutting ? cutSharedEntries(frames) : null };
}

/**
 * Framed exports read record by record, or, when that reading declines and something was cut,
 * the rest read whole and the cut put back. Null when neither applies: the whole files are
 * read as they are (and say why, with the line numbers of the real files). Of the
 * record-by-record reading's own errors only a resource limit is caught: a bug in it must fail
 * the tests that compare readings.
 */
function mergeFramed(row: ProfileRow, frames: ExportFrames, cut: SharedCut | null, settings: MergeSettings, maxBytes: number): MergeOutcome | null {
  const kept = cut ? ", what no side changed kept as it is" : "";
  const separator = KIND_READINGS[row.layout].framedSeparator?.(frames.sides.map((side) => side.buf));
  try {
    const read = settings.wholeParse ? null : readFramedExports(frames, cut, separator);
    if (read) {
      const profile = buildProfile(row, settings.overlay ?? NO_OVERLAY);
      return mergeRead({ ...read, profile, duplicates: new Map() }, `record by record${kept}`, settings);
    }
    if (cut === null) return null;
    const [base, ours, theirs] = reducedInputs(frames, cut);
    const states = readWholeFiles({ base, ours, theirs }, settings, maxBytes);
    if ("method" in states || states.profile.row !== row) return null;
    return mergeRead(withShared(states, frames, cut, separator), `whole files${kept}`, settings);
  } catch (e) {
    if (e instanceof Fallback || e instanceof RangeError || e instanceof JsonParseError) return null;
    throw e;
  }
}

/**
 * What was cut put back, one object on all three sides, written as ours' bytes; the layout's
 * item separator the whole files' (`separator`), not what the cut left of them.
 */
function withShared(states: ReadStates, frames: ExportFrames, cut: SharedCut, separator: string | undefined): ReadStates {
  putBackShared(states.values, frames, cut);
  const itemSeparator = separator ?? states.layout.itemSeparator;
  const own = states.layout.verbatim;
  const verbatim = (node: object) => (node instanceof SharedEntry ? node.verbatimParts() : undefined) ?? own?.(node);
  const verbatimEntry = (key: string, node: object, indent: number) => (node instanceof SharedEntry && node.pristine ? node.entryBytes(key, indent, itemSeparator) : undefined);
  return { ...states, layout: { ...states.layout, itemSeparator, verbatim, verbatimEntry } };
}

/**
 * What `make` makes from a merge with runs of unchanged records (quicker at scale), or, if it
 * looked inside a run anywhere (RunInspected), made again without them. `make` must write
 * nothing before it returns, so that the first try leaves no trace.
 */
export function withRecordRuns<T>(settings: MergeSettings, make: (settings: MergeSettings) => T): T {
  try {
    return make({ ...settings, recordRuns: true });
  } catch (e) {
    if (!(e instanceof RunInspected)) throw e;
    return make({ ...settings, recordRuns: false });
  }
}

/**
 * A resource limit (stack depth of a deeply nested value, the longest string V8 can hold),
 * met while merging or rendering: not a bug, the line merge can still do it.
 */
export function resourceLimitReason(e: RangeError): string {
  return `too deeply nested or too large to merge structurally (${e.message})`;
}

/** The outcome written with these markers, as UTF-8 bytes in chunks. */
export function renderOutcome(outcome: StructuredOutcome, markers: Markers): Buffer[] {
  if (outcome.wholeText) return [Buffer.from(outcome.wholeText(markers), "utf8")];
  // A conflict at the root starts the file with a marker line: a BOM before it would hide the
  // marker from Git and editors.
  const rootConflict = outcome.merged instanceof Hunk && outcome.layout.bom;
  return renderChunks(outcome.merged, rootConflict ? { ...outcome.layout, bom: false } : outcome.layout, markers);
}

/** Merge and render in one call, for the commands that want the text. */
export function mergeTexts(inputs: MergeInputs, settings: MergeSettings & { markers: Markers }): MergeResult {
  const outcome = mergeStates(inputs, settings);
  if (outcome.method !== "structured") return { kind: "fallback", reason: outcome.reason };
  try {
    return renderedResult(outcome, settings.markers);
  } catch (e) {
    if (e instanceof RangeError) return { kind: "fallback", reason: resourceLimitReason(e) };
    throw e;
  }
}

export function renderedResult(outcome: StructuredOutcome, markers: Markers): MergeResult {
  const { conflicts, autoResolved, warnings, profile, documents } = outcome;
  const rest = { conflicts, autoResolved, warnings, profile, documents };
  const written = renderOutcome(outcome, markers);
  // The text is decoded from the chunks only if someone reads it (the driver writes the chunks).
  let text: string | undefined;
  return {
    kind: "merged",
    chunks: written,
    get text(): string {
      return (text ??= Buffer.concat(written).toString("utf8"));
    },
    ...rest,
  };
}

function mergeRead(states: ReadStates, reading: string, settings: MergeSettings): StructuredOutcome {
  const { values, profile, layout, duplicates, knownMerges } = states;
  const outcome = mergeDocuments(values[0], values[1], values[2], profile.policy, { settle: settings.settle, duplicates, knownMerges });
  if (outcome.merged === ABSENT) throw new Fallback("the merge removed the whole document");
  return {
    method: "structured",
    reading,
    merged: outcome.merged,
    conflicts: outcome.conflicts,
    autoResolved: outcome.autoResolved,
    warnings: outcome.warnings,
    profile,
    documents: values,
    layout,
  };
}

function readWholeFiles(inputs: MergeInputs, settings: MergeSettings, maxBytes: number): ReadStates | MergeOutcome {
  const texts = INPUT_NAMES.map((n) => decode(n, inputs[n], maxBytes));
  const parsed = INPUT_NAMES.map((n, i) => parseInput(n, texts[i]));
  const values: Slot[] = parsed.map((p) => (p ? p.value : ABSENT));
  const profile = chooseProfile(settings.overlay ?? NO_OVERLAY, values);
  // A kind with its own rules around the record merge (kindMerge.ts): it merges and lays out.
  const kindMerge = KIND_MERGES[profile.row.layout];
  if (kindMerge) {
    const duplicateKeys = parsed.map((p) => (p && p.duplicates.length > 0 ? profile.shownPath(p.duplicates[0].path).join(".") : null));
    const r = kindMerge({ values, texts: texts.map(stripBom), duplicateKeys, profile, settle: settings.settle });
    if (r.kind === "fallback") return { method: "git merge-file", reason: r.reason };
    const { merged, conflicts, autoResolved, warnings, layout, wholeText } = r;
    return { method: "structured", reading: "whole files", merged, conflicts, autoResolved, warnings, profile, documents: values, layout, wholeText };
  }

  const duplicates = new Map<string, Partial<Record<Side, JsonValue[]>>>();
  parsed.forEach((p, i) => {
    for (const d of p?.duplicates ?? []) {
      const where = profile.describePath(d.path, values);
      if (!profile.duplicateIsRecord(d.path)) throw new Fallback(`${INPUT_NAMES[i]} has the key ${JSON.stringify(profile.shownPath(d.path).at(-1))} twice in ${where}`);
      const entry = duplicates.get(pathKey(d.path)) ?? {};
      entry[INPUT_NAMES[i]] = d.values;
      duplicates.set(pathKey(d.path), entry);
    }
  });

  const layout = KIND_READINGS[profile.row.layout].layoutOf(values, texts, parsed);
  return { values, profile, layout, duplicates };
}

function decode(name: InputName, data: Uint8Array | string, maxBytes: number): string {
  if (typeof data !== "string") {
    if (data.length > maxBytes) throw new Fallback(`${name} is ${data.length} bytes, over the ${maxBytes}-byte limit`);
    if (data.includes(0)) throw new Fallback(`${name} holds NUL bytes (binary content)`);
    try {
      data = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true }).decode(data);
    } catch {
      throw new Fallback(`${name} is not valid UTF-8`);
    }
  } else {
    if (data.length > maxBytes) throw new Fallback(`${name} is over the ${maxBytes}-byte limit`);
    if (data.includes("\u0000")) throw new Fallback(`${name} holds NUL bytes (binary content)`);
  }
  if (firstMarkerLine(data) !== null) {
    throw new Fallback(`${name} already holds conflict markers (a criss-cross virtual base or a rerere replay)`);
  }
  return data;
}

function parseInput(name: InputName, text: string): ParsedJson | null {
  const body = stripBom(text);
  if (body.trim() === "") {
    if (name === "base") return null; // add/add or unrelated histories: no base.
    throw new Fallback(`${name} is empty, not JSON`);
  }
  try {
    return parseJson(body, { spans: name === "ours" });
  } catch (e) {
    if (e instanceof JsonParseError) throw new Fallback(`${name} is not valid JSON: ${e.message}`);
    throw e;
  }
}
