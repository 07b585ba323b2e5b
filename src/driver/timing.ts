// Timing marks for profiling a driver run: with STATEFILE_MERGE_TIMING set, each mark prints
// the milliseconds since the process started to stderr. Off, a mark costs one call.

import { writeStderr } from "../io/processOutput";

const on = process.env.STATEFILE_MERGE_TIMING !== undefined && process.env.STATEFILE_MERGE_TIMING !== "";

export function mark(what: string): void {
  if (on) writeStderr(`statefile-merge: timing: ${performance.now().toFixed(1)} ms ${what}\n`);
}
