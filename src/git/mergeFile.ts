// The line-merge fallback: `git merge-file`, which uses no attributes and no drivers, so it
// can never call us back. Arguments go to the process directly, never through a shell.

import { spawnSync } from "node:child_process";
import type { Markers } from "../formats/renderDocument";

export interface LineMergeResult {
  text: Buffer;
  conflicts: number;
}

/** Git's own three-way line merge of three files, with our labels, marker size and style. */
export function gitMergeFile(oursFile: string, baseFile: string, theirsFile: string, markers: Markers): LineMergeResult {
  const args = ["merge-file", "-p", `--marker-size=${markers.size}`];
  if (markers.style !== "merge") args.push(`--${markers.style}`);
  args.push("-L", markers.ours, "-L", markers.base, "-L", markers.theirs, "--", oursFile, baseFile, theirsFile);
  const r = spawnSync("git", args, { stdio: ["ignore", "pipe", "pipe"], maxBuffer: 2 ** 31 - 1 });
  if (r.error) throw new Error(`git merge-file could not run: ${r.error.message}`);
  if (r.status === null || r.status >= 128) throw new Error(`git merge-file failed: ${r.stderr.toString().trim()}`);
  return { text: r.stdout, conflicts: r.status };
}

/** The last resort when even Git cannot merge: both whole files between markers, never plain ours. */
export function wholeFileConflict(ours: Buffer, base: Buffer, theirs: Buffer, markers: Markers): Buffer {
  const label = (mark: string, text: string) => Buffer.from(mark.repeat(markers.size) + (text ? " " + text : "") + "\n");
  const withNewline = (b: Buffer) => (b.length === 0 || b[b.length - 1] === 10 ? b : Buffer.concat([b, Buffer.from("\n")]));
  const parts = [label("<", markers.ours), withNewline(ours)];
  if (markers.style !== "merge") parts.push(label("|", markers.base), withNewline(base));
  parts.push(Buffer.from("=".repeat(markers.size) + "\n"), withNewline(theirs), label(">", markers.theirs));
  return Buffer.concat(parts);
}
