import { describe, expect, it } from "vitest";
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { copyFileSync, existsSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { processStart, stillRuns } from "../../src/io/processStart";

const PROC = existsSync("/proc/self/stat");
/** Seconds since boot, as the kernel counts them. */
const uptime = () => Number(readFileSync("/proc/uptime", "latin1").split(" ")[0]);

/** A sleeping process whose command name holds spaces and parentheses, as /proc/PID/stat writes it. */
function oddlyNamedSleeper(): ChildProcess {
  const dir = mkdtempSync(join(tmpdir(), "process-start-"));
  const program = join(dir, "s) (x 1");
  copyFileSync(spawnSync("sh", ["-c", "command -v sleep"], { encoding: "utf8" }).stdout.trim(), program);
  return spawn(program, ["30"], { stdio: "ignore" });
}

describe.runIf(PROC)("processStart, where /proc says (Linux)", () => {
  it("reads the start time field, also past a command name with spaces and parentheses", async () => {
    const before = uptime();
    const child = oddlyNamedSleeper();
    try {
      await new Promise((done) => child.once("spawn", done));
      const start = processStart(child.pid as number);
      const after = uptime();
      expect(start).toMatch(/^[0-9a-f-]+:\d+$/);
      // Ticks since boot (100 a second on Linux): the child started between the two readings.
      const seconds = Number((start as string).split(":")[1]) / 100;
      expect(seconds).toBeGreaterThanOrEqual(before - 0.02);
      expect(seconds).toBeLessThanOrEqual(after + 0.02);
      expect(start?.split(":")[0]).toBe(readFileSync("/proc/sys/kernel/random/boot_id", "latin1").trim());
    } finally {
      child.kill();
    }
  });

  it("tells a process from a later one given the same pid", () => {
    const mine = processStart(process.pid);
    expect(stillRuns(process.pid, mine)).toBe(true);
    const [boot, ticks] = (mine as string).split(":");
    expect(stillRuns(process.pid, `${boot}:${Number(ticks) + 1}`)).toBe(false);
    expect(stillRuns(process.pid, `another-boot:${ticks}`)).toBe(false);
  });
});

describe("stillRuns", () => {
  it("without a recorded start, the pid alone answers", () => {
    const dead = Number(spawnSync(process.execPath, ["-e", "process.stdout.write(String(process.pid))"], { encoding: "utf8" }).stdout);
    expect(stillRuns(process.pid, undefined)).toBe(true);
    expect(stillRuns(dead, undefined)).toBe(false);
    expect(stillRuns(dead, "any:1")).toBe(false);
  });
});
