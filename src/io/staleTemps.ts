// A process killed with SIGKILL cannot remove its temporary file. Git runs the driver at the
// top of the work tree, so such a file would show up as untracked (holding a private state,
// mode 0600). The next write in that directory removes it: only files with our name pattern,
// written by a process that no longer exists, and older than a minute.

import { lstatSync, readdirSync, unlinkSync } from "node:fs";
import { join } from "node:path";

export const TEMP_MARK = ".statefile-merge-";
const TEMP_NAME = /^\..+\.statefile-merge-(\d+)-[0-9a-f]{8}\.tmp$/;
const STALE_AFTER_MS = 60_000;

export function removeStaleTemps(dir: string, now = Date.now()): string[] {
  const removed: string[] = [];
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return removed;
  }
  for (const name of names) {
    const m = TEMP_NAME.exec(name);
    if (!m || Number(m[1]) === process.pid || isAlive(Number(m[1]))) continue;
    const file = join(dir, name);
    try {
      const st = lstatSync(file);
      if (!st.isFile() || now - st.mtimeMs < STALE_AFTER_MS) continue;
      unlinkSync(file);
      removed.push(file);
    } catch {
      // Gone already, or not ours to remove.
    }
  }
  return removed;
}

/** True when a process with this id exists (EPERM: it exists but belongs to someone else). */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
}
