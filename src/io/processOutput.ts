// The driver's own output. Stderr lines go straight to file descriptor 2: creating
// process.stderr loads Node's stream modules, which took 3-7 ms of a driver run that reports
// conflicts (a pipe, a file or a terminal alike). Only where fd 2 cannot take the bytes now (a
// non-blocking pipe that is full) does the rest go through process.stderr, which waits for it.
// Whether a stream was used decides how the process may end (see endProcess).

import { writeSync } from "node:fs";

/** Stderr went through process.stderr once: every later line follows it there, in order. */
let stderrQueued = false;
let stdoutUsed = false;

/** Writes text to stderr in full, in order with what was written before. */
export function writeStderr(text: string): void {
  if (stderrQueued) {
    process.stderr.write(text);
    return;
  }
  const bytes = Buffer.from(text, "utf8");
  let written = 0;
  try {
    while (written < bytes.length) written += writeSync(2, bytes, written);
  } catch (e) {
    // EAGAIN: the stream queues the rest and waits. Anything else (EPIPE, EBADF): nobody reads
    // stderr any more, and a merge's result does not depend on its messages.
    if ((e as NodeJS.ErrnoException).code !== "EAGAIN") return;
    stderrQueued = true;
    // The reader may still go away: an error then ends nothing (no listener would crash the process).
    process.stderr.on("error", () => undefined);
    process.stderr.write(bytes.subarray(written));
  }
}

/** Writes to stdout through process.stdout (a result given with `-o -` may be large, and its reader slow). */
export function writeStdout(data: string | Uint8Array): void {
  stdoutUsed = true;
  process.stdout.write(data);
}

/**
 * Ends the process with `code` once all output is out. Without a stream in use (the usual
 * driver run) it exits at once, sparing Node's teardown of the heap (a few ms); otherwise it
 * leaves the exit to Node, which first writes out what the streams still hold.
 */
export function endProcess(code: number): void {
  process.exitCode = code;
  if (!stderrQueued && !stdoutUsed) process.exit(code);
}
