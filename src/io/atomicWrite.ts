// Replace a file whole or not at all: write a private temporary file beside it, then rename.
// A crash at any point leaves the old file or the complete new one, never half of either.

import { closeSync, fsyncSync, openSync, renameSync, statSync, unlinkSync, writeSync, writevSync, chmodSync, realpathSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { removeStaleTemps, TEMP_MARK } from "./staleTemps";

export interface WriteOptions {
  /**
   * Flush the file and the rename to the disk before returning (default). Off for Git's own
   * temporary %A file, which Git reads back at once and deletes: after a power cut the merge
   * it belongs to is gone whatever that file holds, so the flush would only cost time.
   */
  durable?: boolean;
}

/** Replaces `target` with `data`: text (written as UTF-8), bytes, or chunks of bytes in order. */
export function writeFileAtomic(target: string, data: string | Uint8Array | readonly Uint8Array[], options: WriteOptions = {}): void {
  replaceFileAtomic(target, (fd) => writeAll(fd, typeof data === "string" ? [Buffer.from(data, "utf8")] : data instanceof Uint8Array ? [data] : data), options);
}

/** Chunks of at most this many go to one writev (Linux's IOV_MAX). */
const CHUNKS_PER_WRITE = 1024;

/** Writes every chunk in order, through short writes. */
function writeAll(fd: number, chunks: readonly Uint8Array[]): void {
  let i = 0;
  while (i < chunks.length) {
    const first = i;
    const batch = chunks.slice(i, i + CHUNKS_PER_WRITE);
    let written = batch.length === 1 ? writeSync(fd, batch[0]) : writevSync(fd, batch);
    // A short write: skip the chunks written whole, finish the one cut short (or, if nothing
    // was written at all, write the first chunk alone: a full disk then throws).
    while (i < chunks.length && written >= chunks[i].length) written -= chunks[i++].length;
    if (i < chunks.length && (written > 0 || i === first)) {
      const rest = chunks[i++];
      for (let off = written; off < rest.length; ) off += writeSync(fd, rest, off, rest.length - off);
    }
  }
}

/**
 * Replaces `target` with what `fill` writes into a fresh 0600 file descriptor (so that a
 * child process can write the result itself). A symlink stays a symlink: its target file is
 * replaced. The existing file's mode is kept. If `fill` throws, the target is untouched and
 * the temporary file is gone.
 */
export function replaceFileAtomic<T>(target: string, fill: (fd: number) => T, options: WriteOptions = {}): T {
  const durable = options.durable ?? true;
  const real = resolveTarget(target);
  let mode: number | null = null;
  try {
    const st = statSync(real);
    if (!st.isFile()) throw new Error(`${target} is not a regular file; give a file path to write the result to`);
    mode = st.mode & 0o7777;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== "ENOENT") throw e;
    // A new file: keep the private 0600 mode of the temporary file.
  }
  const dir = dirname(real);
  removeStaleTemps(dir);
  const temp = join(dir, `.${basename(real)}${TEMP_MARK}${process.pid}-${tempSuffix()}.tmp`);
  const fd = openSync(temp, "wx", 0o600);
  try {
    let result: T;
    try {
      result = fill(fd);
      if (durable) fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    if (mode !== null) chmodSync(temp, mode);
    renameSync(temp, real);
    if (durable) syncDirectory(dir);
    return result;
  } catch (e) {
    try {
      unlinkSync(temp);
    } catch {
      // Already gone.
    }
    throw e;
  }
}

/**
 * Eight hex digits to tell this process's temporary files apart. They need not be secret: the
 * file is created with O_EXCL ("wx") and mode 0600, so a name someone guessed and took first
 * (even as a symlink) fails the write instead of being followed. Not node:crypto, whose
 * loading alone costs a merge driver run several milliseconds.
 */
function tempSuffix(): string {
  return Math.floor(Math.random() * 0x100000000)
    .toString(16)
    .padStart(8, "0");
}

/** The file a path names, through any symlinks; the path itself when it does not exist yet. */
function resolveTarget(target: string): string {
  try {
    return realpathSync(target);
  } catch {
    return target;
  }
}

/** Makes the rename itself durable; best effort (not every system can open a directory). */
function syncDirectory(dir: string): void {
  try {
    const fd = openSync(dir, "r");
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  } catch {
    // The rename is done; only its durability across a power cut is left to the system.
  }
}
