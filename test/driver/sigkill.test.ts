// SIGKILL at random points of a large merge: the ours file is always either untouched or the
// complete result (never half of it), a temporary file left by the kill is private (0600), and
// the next run in that directory removes it.

import { spawn, spawnSync } from "node:child_process";
import { chmodSync, copyFileSync, readFileSync, readdirSync, statSync, unlinkSync, utimesSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { BIN } from "../support/fixtures";
import { isolatedEnv, scratchDir } from "../support/hostile";
import { writeLargeState } from "../support/largeState";

const COUNT = 8000; // machines: about 18 MB per input
const KILLS = Number(process.env.CRASH_KILLS ?? 12);
const TEMP = /\.statefile-merge-\d+-[0-9a-f]{8}\.tmp$/;

let dir: string;
let original: Buffer;

/** A small deterministic generator, so that a failing run can be repeated with its seed. */
function random(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

function args(extra: string[]): string[] {
  return [BIN, "merge", "base.json", "ours.json", "theirs.json", "-p", "state.json", "-s", "base", "-x", "HEAD", "-y", "topic", ...extra];
}

function resetOurs(): void {
  copyFileSync(join(dir, "ours.orig"), join(dir, "ours.json"));
  chmodSync(join(dir, "ours.json"), 0o600);
}

/** Runs the driver to completion; its result is the only other state ours may be in. */
function completeResult(extra: string[]): Buffer {
  resetOurs();
  const r = spawnSync(process.execPath, args(extra), { cwd: dir, env: isolatedEnv(dir), encoding: "utf8" });
  expect(r.status, r.stderr).toBe(1);
  const result = readFileSync(join(dir, "ours.json"));
  expect(result.equals(original)).toBe(false);
  return result;
}

/** Starts the driver and kills it with SIGKILL after `delayMs`, or as soon as its temp file appears. */
function runAndKill(extra: string[], when: { delayMs: number } | "temp-file"): Promise<NodeJS.Signals | number | null> {
  resetOurs();
  return new Promise((resolve) => {
    const child = spawn(process.execPath, args(extra), { cwd: dir, env: isolatedEnv(dir), stdio: "ignore" });
    child.on("exit", (code, signal) => resolve(signal ?? code));
    if (when === "temp-file") {
      const poll = () => {
        if (child.exitCode !== null || child.signalCode !== null) return;
        if (readdirSync(dir).some((n) => TEMP.test(n))) child.kill("SIGKILL");
        else setImmediate(poll);
      };
      poll();
    } else {
      setTimeout(() => child.kill("SIGKILL"), when.delayMs);
    }
  });
}

function temps(): string[] {
  return readdirSync(dir).filter((n) => TEMP.test(n));
}

beforeAll(() => {
  dir = scratchDir("statefile-merge-crash-");
  writeLargeState(join(dir, "base.json"), { count: COUNT });
  writeLargeState(join(dir, "ours.orig"), { count: COUNT, changes: new Map<number, Record<string, string>>([[3, { toplevel: "/nix/store/ours-deploy" }], [COUNT - 2, { state: "5" }], [COUNT - 9, { toplevel: "/nix/store/ours-2" }]]) });
  writeLargeState(join(dir, "theirs.json"), { count: COUNT, changes: new Map([[7, { toplevel: "/nix/store/theirs-deploy" }], [COUNT - 9, { toplevel: "/nix/store/theirs-2" }]]) });
  original = readFileSync(join(dir, "ours.orig"));
}, 120_000);

describe.each([
  ["structured merge", [] as string[]],
  ["git merge-file fallback", ["--max-bytes", "1000"]],
])("SIGKILL during a %s of three 18 MB states", (_name, extra) => {
  it("leaves ours untouched or complete, at random kill points", async () => {
    const complete = completeResult(extra);
    const start = Date.now();
    completeResult(extra);
    const duration = Date.now() - start;
    const seed = Number(process.env.CRASH_SEED ?? Date.now() % 1_000_000);
    const next = random(seed);
    const seen = { untouched: 0, complete: 0, exitedFirst: 0 };
    for (let i = 0; i < KILLS; i++) {
      const delayMs = Math.floor(next() * duration * 1.1);
      const outcome = await runAndKill(extra, { delayMs });
      const now = readFileSync(join(dir, "ours.json"));
      const ok = now.equals(original) || now.equals(complete);
      expect(ok, `seed ${seed}, kill ${i} after ${delayMs} ms: ours is neither untouched nor complete (${now.length} bytes)`).toBe(true);
      if (outcome !== "SIGKILL") {
        // It finished first: then it must have finished the job.
        expect(outcome, `seed ${seed}, kill ${i}`).toBe(1);
        expect(now.equals(complete), `seed ${seed}, kill ${i}: exited ${String(outcome)} without its result`).toBe(true);
        seen.exitedFirst++;
      }
      if (now.equals(original)) seen.untouched++;
      else seen.complete++;
      for (const t of temps()) expect(statSync(join(dir, t)).mode & 0o777).toBe(0o600);
    }
    console.log(`[crash] ${_name}: ${KILLS} kills within ${duration} ms runs (seed ${seed}): ${seen.untouched} untouched, ${seen.complete} complete, ${seen.exitedFirst} finished before the kill`);
    expect(seen.untouched + seen.complete).toBe(KILLS);
  });

  it("a kill while the temporary file is being written leaves ours untouched and a 0600 temp file that the next run removes", async () => {
    // The temp file lives for the few milliseconds of the write: on a busy machine the poll can
    // miss it, and the driver finish first or the kill land after the rename. Such a run says
    // nothing about a kill mid-write; run again (temp files of earlier kills removed first).
    const killedMidWrite = async () => {
      for (const t of temps()) unlinkSync(join(dir, t));
      return (await runAndKill(extra, "temp-file")) === "SIGKILL" && temps().length > 0;
    };
    let hit = await killedMidWrite();
    for (let attempt = 1; attempt < 10 && !hit; attempt++) hit = await killedMidWrite();
    expect(hit, "no run of ten was killed while its temporary file existed").toBe(true);
    // The temp file still there: the rename that replaces ours never happened.
    expect(readFileSync(join(dir, "ours.json")).equals(original)).toBe(true);
    const left = temps();
    expect(left).toHaveLength(1);
    for (const t of left) expect(statSync(join(dir, t)).mode & 0o777).toBe(0o600);
    // SIGKILL does not reach the driver's `git merge-file` child, which may still be writing
    // the temp file; wait until nothing touches it any more, as a minute would.
    await untilUnchanged(left.map((t) => join(dir, t)));
    // A minute later (the age below which a temp file may still be in use), the next run cleans up.
    const old = new Date(Date.now() - 120_000);
    for (const t of left) utimesSync(join(dir, t), old, old);
    completeResult(extra);
    expect(temps()).toEqual([]);
  });
});

/** Resolves once none of the files has changed size or mtime for half a second. */
async function untilUnchanged(files: string[]): Promise<void> {
  const stamp = () => files.map((f) => { const st = statSync(f); return `${st.size}:${st.mtimeMs}`; }).join(",");
  let last = stamp();
  for (;;) {
    await new Promise((r) => setTimeout(r, 500));
    const now = stamp();
    if (now === last) return;
    last = now;
  }
}
