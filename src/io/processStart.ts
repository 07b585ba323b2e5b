// A pid alone does not name a process for long: once it ends, the system may give its pid to
// another. A lock that names its holder by pid also records when that process started (Linux:
// /proc/PID/stat's start time since boot, with the boot's id), so that a later process with
// the same pid is not taken for the holder. Where /proc cannot say, the pid alone decides.

import { readFileSync } from "node:fs";
import { isAlive } from "./staleTemps";

/** The 22nd field of /proc/PID/stat (the start time), counted after the command's closing parenthesis. */
const START_AFTER_COMMAND = 22 - 3;

/** When process `pid` started, as "boot-id:ticks-since-boot"; undefined where it cannot be read (no /proc, or no such process). */
export function processStart(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "latin1");
    // The command (field 2) is in parentheses and may hold spaces or parentheses itself.
    const start = stat.slice(stat.lastIndexOf(")") + 2).split(" ")[START_AFTER_COMMAND];
    if (start === undefined || !/^\d+$/.test(start)) return undefined;
    return `${bootId()}:${start}`;
  } catch {
    return undefined;
  }
}

function bootId(): string {
  try {
    return readFileSync("/proc/sys/kernel/random/boot_id", "latin1").trim();
  } catch {
    return "";
  }
}

/**
 * Is process `pid`, which started at `start` (processStart's answer then), still running? A
 * process with that pid that started at another time is not it. Without a start, or when the
 * start cannot be read now, the pid alone answers.
 */
export function stillRuns(pid: number, start: string | undefined): boolean {
  if (!isAlive(pid)) return false;
  if (start === undefined) return true;
  const now = processStart(pid);
  return now === undefined || now === start;
}
