// Replace a file whole or not at all: write a private temporary file beside it, then rename.
// A crash at any point leaves the old file or the complete new one, never half of either.

import { closeSync, fsyncSync, openSync, renameSync, statSync, unlinkSync, writeSync, chmodSync, realpathSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { removeStaleTemps, TEMP_MARK } from "./staleTemps";

export function writeFileAtomic(target: string, data: string | Uint8Array): void {
  replaceFileAtomic(target, (fd) => {
    const buf = typeof data === "string" ? Buffer.from(data, "utf8") : data;
    let off = 0;
    while (off < buf.length) off += writeSync(fd, buf, off, buf.length - off);
  });
}

/**
 * Replaces `target` with what `fill` writes into a fresh 0600 file descriptor (so that a
 * child process can write the result itself). A symlink stays a symlink: its target file is
 * replaced. The existing file's mode is kept. If `fill` throws, the target is untouched and
 * the temporary file is gone.
 */
export function replaceFileAtomic<T>(target: string, fill: (fd: number) => T): T {
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
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    if (mode !== null) chmodSync(temp, mode);
    renameSync(temp, real);
    syncDirectory(dir);
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
