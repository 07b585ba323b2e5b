// The merge as stages, from three file contents to one: guard, parse, choose a profile,
// merge, render. No files, processes or Git here; the driver does those. Anything this
// cannot merge structurally comes back as a fallback with the reason.

import { ABSENT, type JsonValue, type Path, type Slot } from "../core/values";
import { mergeDocuments } from "../core/mergeValues";
import { Hunk, type AutoResolved, type Conflict, type Merged, type MergeWarning, type Side } from "../core/merged";
import { pathKey } from "../core/policy";
import { JsonParseError, parseJson, type ParsedJson } from "../formats/parseJson";
import { decodeEmbedded, detectSeparators, isNixopsExport, isNixopsShaped, nixopsLayout } from "../formats/nixopsExport";
import { MARKER_LINE } from "../formats/conflictMarkers";
import { stripBom } from "../formats/bom";
import { detectJsonLayout } from "../formats/jsonLayout";
import { renderDocument, type Layout, type Markers } from "../formats/renderDocument";
import { readNixopsExports } from "../formats/fastNixopsRead";
import { nixopsProfile, DEFAULT_NIXOPS_SETTINGS, type NixopsSettings } from "../profiles/nixops";
import { jsonProfile } from "../profiles/json";
import type { Profile } from "../profiles/profile";
import type { PathPattern } from "../profiles/pathPattern";
import type { KeyedArrayRule } from "../policy/policyTypes";
import { withPolicyRules } from "../policy/profileRules";
import { isTerraformState } from "../formats/tfstate/detect";
import { mergeTfstate } from "../tfstate/mergeState";

export const DEFAULT_MAX_BYTES = 256 * 1024 * 1024;
export const INPUT_NAMES = ["base", "ours", "theirs"] as const;
export type InputName = (typeof INPUT_NAMES)[number];

export interface MergeInputs {
  base: Uint8Array | string;
  ours: Uint8Array | string;
  theirs: Uint8Array | string;
}

export interface MergeSettings {
  markers: Markers;
  maxBytes?: number;
  /** Settle conflicts instead of writing hunks: to the base for a virtual base, or as resolve asks. */
  settle?: (path: Path) => Side | undefined;
  nixops?: NixopsSettings;
  secretNames?: readonly string[];
  /** Force a profile instead of choosing it from the content. */
  profile?: "nixops" | "json" | "tfstate";
  /** Parse the whole files even where the record-by-record reading applies (tests compare the two). */
  wholeParse?: boolean;
  /** Arrays of records matched by an identity field (from the repository's policy file). */
  keyedArrays?: readonly KeyedArrayRule[];
  /** Extra volatile paths for the json profile (the nixops profile's are in `nixops`). */
  jsonVolatile?: readonly PathPattern[];
}

export type MergeResult =
  | {
      kind: "merged";
      text: string;
      /** The same text as UTF-8 bytes in chunks, when the writer made bytes (then `text` is decoded on first read). */
      chunks?: readonly Uint8Array[];
      conflicts: Conflict[];
      autoResolved: AutoResolved[];
      profile: Profile;
      /** Parsed base, ours, theirs (for naming deployments in messages). */
      documents: Slot[];
      /** Where the merge did less than asked (a keyed array merged as one value), for stderr. */
      warnings?: MergeWarning[];
    }
  | { kind: "fallback"; reason: string };

class Fallback extends Error {}


export function mergeTexts(inputs: MergeInputs, settings: MergeSettings): MergeResult {
  try {
    return mergeOrThrow(inputs, settings);
  } catch (e) {
    if (e instanceof Fallback) return { kind: "fallback", reason: e.message };
    // A resource limit (stack depth of a deeply nested value, the longest string V8 can
    // hold), not a bug: the line merge can still do it.
    if (e instanceof RangeError) return { kind: "fallback", reason: `too deeply nested or too large to merge structurally (${e.message})` };
    throw e;
  }
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
  if (MARKER_LINE.test(data)) {
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

function mergeOrThrow(inputs: MergeInputs, settings: MergeSettings): MergeResult {
  const maxBytes = settings.maxBytes ?? DEFAULT_MAX_BYTES;
  // Canonical NixOps exports: read record by record, parsing only what differs (same values).
  const fast = settings.profile === "json" || settings.wholeParse ? null : fastRead(inputs, maxBytes);
  if (fast) return mergeValues(fast.values, chooseProfile(true, settings), fast.layout, new Map(), settings, fast.write);
  const texts = INPUT_NAMES.map((n) => decode(n, inputs[n], maxBytes));
  const parsed = INPUT_NAMES.map((n, i) => parseInput(n, texts[i]));
  const values: Slot[] = parsed.map((p) => (p ? p.value : ABSENT));
  const oursText = stripBom(texts[1]);
  // Terraform / OpenTofu state, chosen by content: its own rules and writer (src/tfstate).
  if ((settings.profile === undefined || settings.profile === "tfstate") && values.some(isTerraformState)) {
    const duplicateKeys = parsed.map((p) => (p && p.duplicates.length > 0 ? p.duplicates[0].path.join(".") : null));
    return mergeTfstate({ values, texts: texts.map(stripBom), duplicateKeys }, settings);
  }

  const useNixops =
    settings.profile === "nixops" ||
    (settings.profile === undefined && values.every((v) => v === ABSENT || isNixopsShaped(v as JsonValue)) && values.some((v) => v !== ABSENT && isNixopsExport(v)));
  const profile = chooseProfile(useNixops, settings);

  const duplicates = new Map<string, Partial<Record<Side, JsonValue[]>>>();
  parsed.forEach((p, i) => {
    for (const d of p?.duplicates ?? []) {
      const where = profile.describePath(d.path, values);
      if (!profile.duplicateIsRecord(d.path)) throw new Fallback(`${INPUT_NAMES[i]} has the key ${JSON.stringify(d.path[d.path.length - 1])} twice in ${where}`);
      const entry = duplicates.get(pathKey(d.path)) ?? {};
      entry[INPUT_NAMES[i]] = d.values;
      duplicates.set(pathKey(d.path), entry);
    }
  });

  let layout: Layout;
  if (useNixops) {
    for (const v of values) if (v instanceof Map) decodeEmbedded(v);
    const separators = detectSeparators(texts[1]) ?? detectSeparators(texts[2]) ?? detectSeparators(texts[0]) ?? "py3";
    layout = nixopsLayout(separators, oursText.includes("\r\n") ? "\r\n" : "\n");
  } else {
    layout = detectJsonLayout(texts[1], parsed[1]?.spans);
  }
  return mergeValues(values, profile, layout, duplicates, settings);
}

/**
 * The record-by-record reading, or null: anything it does not take (NUL bytes, text it cannot
 * parse) goes to the full path, whose guards give the reason. Its own errors are not caught
 * here: a bug in it must fail the tests that compare it with the full path, not hide in them.
 */
function fastRead(inputs: MergeInputs, maxBytes: number): ReturnType<typeof readNixopsExports> {
  const hasNul = (d: Uint8Array | string) => (typeof d === "string" ? d.includes("\u0000") : d.includes(0));
  if (INPUT_NAMES.some((n) => hasNul(inputs[n]))) return null;
  return readNixopsExports(inputs, maxBytes);
}

function chooseProfile(useNixops: boolean, settings: MergeSettings): Profile {
  return withPolicyRules(useNixops ? nixopsProfile(settings.nixops ?? DEFAULT_NIXOPS_SETTINGS) : jsonProfile(settings.secretNames), settings);
}

function mergeValues(
  values: Slot[],
  profile: Profile,
  layout: Layout,
  duplicates: Map<string, Partial<Record<Side, JsonValue[]>>>,
  settings: MergeSettings,
  write: (merged: Merged, layout: Layout, markers: Markers) => string | Uint8Array[] = renderDocument,
): MergeResult {
  const outcome = mergeDocuments(values[0], values[1], values[2], profile.policy, { settle: settings.settle, duplicates });
  if (outcome.merged === ABSENT) throw new Fallback("the merge removed the whole document");
  // A conflict at the root starts the file with a marker line: a BOM before it would hide the
  // marker from Git and editors.
  const rootConflict = outcome.merged instanceof Hunk && layout.bom;
  const written = write(outcome.merged, rootConflict ? { ...layout, bom: false } : layout, settings.markers);
  const result = { conflicts: outcome.conflicts, autoResolved: outcome.autoResolved, profile, documents: values, warnings: outcome.warnings };
  if (typeof written === "string") return { kind: "merged", text: written, ...result };
  return withChunks(written, result);
}

/** A merged result whose text is decoded from `chunks` only if someone reads it (the driver writes the chunks). */
function withChunks(chunks: Uint8Array[], rest: Omit<Extract<MergeResult, { kind: "merged" }>, "kind" | "text" | "chunks">): MergeResult {
  let text: string | undefined;
  return {
    kind: "merged",
    chunks,
    get text(): string {
      return (text ??= Buffer.concat(chunks).toString("utf8"));
    },
    ...rest,
  };
}
