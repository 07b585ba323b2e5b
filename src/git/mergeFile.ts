// The line-merge fallback: `git merge-file`, which uses no attributes and no drivers, so it
// can never call us back. Arguments go to the process directly, never through a shell. With
// a file descriptor, Git writes the result straight into it: a huge file is never held in
// this process's memory.

import { closeSync, openSync, readSync, writeSync } from "node:fs";
import { spawnSync } from "node:child_process";
import type { Markers } from "../formats/renderDocument";

export interface LineMergeResult {
  /** The merged bytes; empty when they went to the descriptor given. */
  text: Buffer;
  conflicts: number;
}

/** Git's own three-way line merge of three files, with our labels, marker size and style. */
export function gitMergeFile(oursFile: string, baseFile: string, theirsFile: string, markers: Markers, intoFd?: number): LineMergeResult {
  const args = ["merge-file", "-p", `--marker-size=${markers.size}`];
  if (markers.style !== "merge") args.push(`--${markers.style}`);
  args.push("-L", markers.ours, "-L", markers.base, "-L", markers.theirs, "--", oursFile, baseFile, theirsFile);
  const stdout = intoFd ?? "pipe";
  const r = spawnSync("git", args, { stdio: ["ignore", stdout, "pipe"], maxBuffer: 2 ** 31 - 1 });
  if (r.error) throw new Error(`git merge-file could not run: ${r.error.message}`);
  if (r.status === null || r.status >= 128) throw new Error(`git merge-file failed: ${r.stderr.toString().trim()}`);
  return { text: r.stdout ?? Buffer.alloc(0), conflicts: r.status };
}

/**
 * The last resort when even Git cannot merge: both whole files between markers, never plain
 * ours; read from the three files in chunks and written through `sink` (bounded memory).
 */
export function wholeFileConflictFromFiles(files: { ours: string; base: string; theirs: string }, markers: Markers, sink: (chunk: Uint8Array) => void): void {
  writeWholeFileConflict({ ours: chunksOf(files.ours), base: chunksOf(files.base), theirs: chunksOf(files.theirs) }, markers, sink);
}

/** A sink writing to a file descriptor from its start (explicit positions: a child may have moved the offset). */
export function fdSink(fd: number): (chunk: Uint8Array) => void {
  let position = 0;
  return (chunk) => {
    let off = 0;
    while (off < chunk.length) {
      const n = writeSync(fd, chunk, off, chunk.length - off, position);
      off += n;
      position += n;
    }
  };
}

type Chunks = Iterable<Uint8Array>;

function writeWholeFileConflict(sides: { ours: Chunks; base: Chunks; theirs: Chunks }, markers: Markers, sink: (chunk: Uint8Array) => void): void {
  const label = (mark: string, text: string) => sink(Buffer.from(mark.repeat(markers.size) + (text ? " " + text : "") + "\n"));
  const body = (chunks: Chunks) => {
    let last = 10;
    for (const c of chunks) {
      if (c.length === 0) continue;
      sink(c);
      last = c[c.length - 1];
    }
    if (last !== 10) sink(Buffer.from("\n"));
  };
  label("<", markers.ours);
  body(sides.ours);
  if (markers.style !== "merge") {
    label("|", markers.base);
    body(sides.base);
  }
  sink(Buffer.from("=".repeat(markers.size) + "\n"));
  body(sides.theirs);
  label(">", markers.theirs);
}

function* chunksOf(file: string): Generator<Uint8Array> {
  const fd = openSync(file, "r");
  try {
    const buf = Buffer.alloc(1 << 20);
    for (;;) {
      const n = readSync(fd, buf, 0, buf.length, null);
      if (n === 0) return;
      yield buf.subarray(0, n);
    }
  } finally {
    closeSync(fd);
  }
}
