// A child given input on a pipe that exits before reading all of it: spawnSync then reports
// EPIPE beside the child's exit status. The child did run, and its status says how it ended.

import type { SpawnSyncReturns } from "node:child_process";

/** The child ran and exited before it read all of its input (spawnSync's EPIPE with an exit status). */
export function exitedBeforeReadingInput(r: SpawnSyncReturns<unknown>): boolean {
  return (r.error as NodeJS.ErrnoException | undefined)?.code === "EPIPE" && r.status !== null;
}
