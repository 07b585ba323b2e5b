// The `merge` command's options, once: the bin reads Git's driver line with `plainMergeArguments`
// (no command-line library on the hot path) and the full command line builds its commander
// options from the same table, so the two cannot drift apart.

import type { ConflictStyle } from "../formats/renderDocument";

export type ArgumentKind = "text" | "positive" | "style" | "flag";

export interface MergeOption {
  short?: string;
  long: string;
  /** The DriverOptions field it sets. */
  field: "path" | "markerSize" | "baseLabel" | "oursLabel" | "theirsLabel" | "output" | "reportJson" | "conflictStyle" | "maxBytes" | "virtualBase";
  kind: ArgumentKind;
  /** The value's name in help, for options that take one. */
  value?: string;
  help: string;
}

export const CONFLICT_STYLES: readonly ConflictStyle[] = ["merge", "diff3", "zdiff3"];

export const MERGE_OPTIONS: readonly MergeOption[] = [
  { short: "-p", long: "--path", field: "path", kind: "text", value: "path", help: "path of the file in the work tree (%P), for messages" },
  { short: "-l", long: "--marker-size", field: "markerSize", kind: "positive", value: "n", help: "conflict marker size (%L)" },
  { short: "-s", long: "--base-label", field: "baseLabel", kind: "text", value: "label", help: "label of the base section (%S)" },
  { short: "-x", long: "--ours-label", field: "oursLabel", kind: "text", value: "label", help: "label of ours (%X)" },
  { short: "-y", long: "--theirs-label", field: "theirsLabel", kind: "text", value: "label", help: "label of theirs (%Y)" },
  { short: "-o", long: "--output", field: "output", kind: "text", value: "file", help: "write the result here ('-' for stdout) instead of replacing ours" },
  { long: "--report-json", field: "reportJson", kind: "text", value: "file", help: "write a JSON report of conflicts and auto-resolved values" },
  { long: "--conflict-style", field: "conflictStyle", kind: "style", value: "style", help: "conflict style (install writes git config merge.conflictStyle here)" },
  { long: "--virtual-base", field: "virtualBase", kind: "flag", help: "criss-cross inner merge: conflicts take the base value, exit 0" },
  { long: "--max-bytes", field: "maxBytes", kind: "positive", value: "n", help: "inputs larger than this go to git merge-file" },
];

/** A positive whole number, or null. */
export function positiveNumber(value: string): number | null {
  const n = Number(value);
  return /^[0-9]+$/.test(value) && Number.isInteger(n) && n > 0 ? n : null;
}

export type PlainMergeArguments = Partial<Record<MergeOption["field"], string | number | boolean>> & { base: string; ours: string; theirs: string };

/**
 * The driver options for `merge` arguments in the plain form Git's driver line produces, or
 * null (help, `--opt=value`, a repeated or unknown option, a value starting with "-") for the
 * full command line, which parses and reports the usual way.
 */
export function plainMergeArguments(args: readonly string[]): PlainMergeArguments | null {
  const options: Record<string, string | number | boolean> = { virtualBase: false };
  const seen = new Set<string>();
  const files: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (!arg.startsWith("-")) {
      files.push(arg);
      continue;
    }
    const known = MERGE_OPTIONS.find((o) => o.short === arg || o.long === arg);
    if (known === undefined || seen.has(known.field)) return null;
    seen.add(known.field);
    if (known.kind === "flag") {
      options[known.field] = true;
      continue;
    }
    const value = args[++i];
    if (value === undefined || value.startsWith("-")) return null;
    if (known.kind === "positive") {
      const n = positiveNumber(value);
      if (n === null) return null;
      options[known.field] = n;
    } else if (known.kind === "style") {
      if (!CONFLICT_STYLES.includes(value as ConflictStyle)) return null;
      options[known.field] = value;
    } else options[known.field] = value;
  }
  if (files.length !== 3) return null;
  return { ...options, base: files[0], ours: files[1], theirs: files[2] };
}
