// A pid alone does not name a process for long: once it ends, the system may give its pid to
// another. A lock that names its holder by pid also records when that process started (Linux:
// /proc/PID/stat's start time since boot, with the boot's id and the pid namespace the pid
// is counted in), so that a later process with the same pid is not taken for the holder.
// Where /proc cannot say, or the pid was counted elsewhere (another boot or namespace: a
// container sharing the host name), the pid alone decides, as it did before starts were kept.

import { readFileSync, readlinkSync } from "node:fs";
import { isAlive } from "./staleTemps";

/** The 22nd field of /proc/PID/stat (the start time), counted after the command's closing parenthesis. */
const START_AFTER_COMMAND = 22 - 3;

/**
 * When process `pid` started, as "boot-id:pid-namespace:ticks-since-boot"; undefined where it
 * cannot be read (no /proc, or no such process).
 */
export function processStart(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "latin1");
    // The command (field 2) is in parentheses and may hold spaces or parentheses itself.
    const start = stat.slice(stat.lastIndexOf(")") + 2).split(" ")[START_AFTER_COMMAND];
    if (start === undefined || !/^\d+$/.test(start)) return undefined;
    return `${where(pid)}:${start}`;
  } catch {
    return undefined;
  }
}

/** The boot and the pid namespace a start is counted in ("boot-id:namespace"; a part that cannot be read is empty). */
function where(pid: number): string {
  const read = (what: () => string) => {
    try {
      return what();
    } catch {
      return "";
    }
  };
  const boot = read(() => readFileSync("/proc/sys/kernel/random/boot_id", "latin1").trim());
  // "pid:[4026531836]": the namespace's inode, the same whoever looks.
  const namespace = read(() => /\[(\d+)\]/.exec(readlinkSync(`/proc/${pid}/ns/pid`))?.[1] ?? "");
  return `${boot}:${namespace}`;
}

/** A start's boot and namespace ("boot-id:namespace"), or null when it has no such parts. */
function counted(start: string): string | null {
  const at = start.lastIndexOf(":");
  return at > 0 ? start.slice(0, at) : null;
}

/**
 * Is process `pid`, which started at `start` (processStart's answer then), still running? A
 * process with that pid that started at another time in the same boot and namespace is not
 * it. Without a start, or where the start cannot be compared now, the pid alone answers.
 */
export function stillRuns(pid: number, start: string | undefined): boolean {
  if (!isAlive(pid)) return false;
  if (start === undefined) return true;
  const now = processStart(pid);
  if (now === undefined) return true;
  const place = counted(now);
  if (place === null || place.endsWith(":") || place.startsWith(":") || place !== counted(start)) return true;
  return now === start;
}
