import { describe, expect, it } from "vitest";
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { mkdtempSync, readFileSync, readlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { processStart, stillRuns } from "../../src/io/processStart";
import { PROC_STARTS, tickEarlier } from "../support/processStarts";

/** Seconds since boot, as the kernel counts them. */
const uptime = () => Number(readFileSync("/proc/uptime", "latin1").split(" ")[0]);

/** A waiting process whose command name (a script's file name) holds spaces and parentheses, as /proc/PID/stat writes it. */
function oddlyNamedSleeper(): ChildProcess {
  const dir = mkdtempSync(join(tmpdir(), "process-start-"));
  const program = join(dir, "s) (x 1");
  writeFileSync(program, "#!/bin/sh\nsleep 30\n", { mode: 0o755 });
  return spawn(program, [], { stdio: "ignore" });
}


describe.runIf(PROC_STARTS)("processStart, where /proc says (Linux)", () => {
  it("reads the start time field, also past a command name with spaces and parentheses", async () => {
    const before = uptime();
    const child = oddlyNamedSleeper();
    try {
      await new Promise((done) => child.once("spawn", done));
      const start = processStart(child.pid as number);
      const after = uptime();
      expect(readFileSync(`/proc/${child.pid}/cmdline`, "latin1")).toContain("s) (x 1");
      const [boot, namespace, ticks] = (start as string).split(":");
      // Ticks since boot (100 a second on Linux): the child started between the two readings.
      expect(Number(ticks) / 100).toBeGreaterThanOrEqual(before - 0.02);
      expect(Number(ticks) / 100).toBeLessThanOrEqual(after + 0.02);
      expect(boot).toBe(readFileSync("/proc/sys/kernel/random/boot_id", "latin1").trim());
      expect(readlinkSync("/proc/self/ns/pid")).toBe(`pid:[${namespace}]`);
    } finally {
      child.kill();
    }
  });

  it("tells a process from a later one given the same pid", () => {
    const mine = processStart(process.pid) as string;
    expect(stillRuns(process.pid, mine)).toBe(true);
    expect(stillRuns(process.pid, tickEarlier(mine))).toBe(false);
  });

  it("leaves it to the pid where the start was counted elsewhere: another boot, or another pid namespace (a container with the same host name)", () => {
    const [boot, namespace, ticks] = (processStart(process.pid) as string).split(":");
    expect(stillRuns(process.pid, `another-boot:${namespace}:${Number(ticks) - 1}`)).toBe(true);
    expect(stillRuns(process.pid, `${boot}:1:${Number(ticks) - 1}`)).toBe(true);
    expect(stillRuns(process.pid, `${boot}::${Number(ticks) - 1}`)).toBe(true);
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
