// Process starts as io/processStart.ts records them, for the lock tests.

import { existsSync } from "node:fs";

/** This system's /proc says when a process started (Linux); elsewhere locks go by pid alone. */
export const PROC_STARTS = existsSync("/proc/self/stat");

/** The same start one tick earlier: what a lock says of an earlier process that had the same pid. */
export function tickEarlier(start: string): string {
  return start.replace(/\d+$/, (ticks) => String(Number(ticks) - 1));
}
