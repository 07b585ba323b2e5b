// The driver's output in a real Node process (dist/, as the bin loads it): stderr written in
// full and in order, straight or (on a full non-blocking pipe) through the stream, and the
// process ended at once only when no stream is still writing.

import { spawn, spawnSync } from "node:child_process";
import { constants, existsSync, mkdtempSync, openSync, rmSync } from "node:fs";
import { Socket } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterEach, describe, expect, it } from "vitest";

const MODULE = resolve(__dirname, "../../dist/io/processOutput.js");

/** A Node program with the module as `out`. */
function program(body: string): string[] {
  return ["-e", `const out = require(${JSON.stringify(MODULE)});\n${body}`];
}

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** Lines "line 0" to "line n-1", each padded to make a large total. */
const LINES = (n: number) => `Array.from({ length: ${n} }, (_, i) => "line " + i + " " + "x".repeat(200) + "\\n")`;

describe("writeStderr and endProcess", () => {
  it("writes every line in order, then exits at once with the code (a timer set before never runs)", () => {
    const r = spawnSync(process.execPath, program(`setTimeout(() => out.writeStderr("late\\n"), 200);\nfor (const l of ${LINES(50)}) out.writeStderr(l);\nout.endProcess(3);`), {
      encoding: "utf8",
    });
    expect(r.status).toBe(3);
    const lines = r.stderr.split("\n").filter(Boolean);
    expect(lines).toHaveLength(50);
    lines.forEach((l, i) => expect(l.startsWith(`line ${i} `)).toBe(true));
    expect(r.stderr).not.toContain("late");
  });

  it("writes UTF-8 text as UTF-8", () => {
    const r = spawnSync(process.execPath, program(`out.writeStderr("d\\u00e9ploiement \\u2713\\n"); out.endProcess(0);`));
    expect(r.stderr.equals(Buffer.from("déploiement ✓\n", "utf8"))).toBe(true);
  });

  it("with stdout in use, leaves the exit to Node, which writes all of it out first", async () => {
    const size = 4 * 1024 * 1024;
    const child = spawn(process.execPath, program(`out.writeStdout(Buffer.alloc(${size}, 97)); out.endProcess(1);`), { stdio: ["ignore", "pipe", "inherit"] });
    let received = 0;
    // Read slowly at first, so that the child's pipe is full when it asks to end.
    child.stdout.pause();
    await new Promise((r) => setTimeout(r, 100));
    child.stdout.on("data", (chunk: Buffer) => (received += chunk.length));
    child.stdout.resume();
    const code = await new Promise<number | null>((r) => child.on("close", r));
    expect(code).toBe(1);
    expect(received).toBe(size);
  });

  it("on a full non-blocking pipe, hands the rest to process.stderr and loses nothing", async () => {
    if (process.platform === "win32") return;
    const dir = mkdtempSync(join(tmpdir(), "statefile-merge-out-"));
    dirs.push(dir);
    const fifo = join(dir, "stderr");
    const queued = join(dir, "queued");
    expect(spawnSync("mkfifo", [fifo]).status).toBe(0);
    // Our reader first (non-blocking, so that opening does not wait for a writer). The child
    // makes the FIFO its fd 2, opened non-blocking (as a parent that set O_NONBLOCK leaves it;
    // a spawned child's own stdio is made blocking), and writes several times what it holds.
    const readEnd = openSync(fifo, constants.O_RDONLY | constants.O_NONBLOCK);
    const child = spawn(
      process.execPath,
      program(`const fs = require("node:fs");
fs.closeSync(2);
if (fs.openSync(${JSON.stringify(fifo)}, fs.constants.O_WRONLY | fs.constants.O_NONBLOCK) !== 2) process.exit(9);
for (const l of ${LINES(2000)}) out.writeStderr(l);
fs.writeFileSync(${JSON.stringify(queued)}, "");
out.endProcess(2);`),
      { stdio: ["ignore", "ignore", "ignore"] },
    );
    const chunks: Buffer[] = [];
    // Nothing read until the child has gone through all its lines: 400 KB, more than a pipe
    // holds, so the rest waits in its stream (it says so with the file `queued`).
    while (!existsSync(queued) && child.exitCode === null) await new Promise((r) => setTimeout(r, 10));
    expect(existsSync(queued), `the child ended first, with ${String(child.exitCode)}`).toBe(true);
    const reader = new Socket({ fd: readEnd, readable: true, writable: false });
    reader.on("data", (c: Buffer) => chunks.push(c));
    const [code] = await Promise.all([new Promise<number | null>((r) => child.on("close", r)), new Promise((r) => reader.on("close", r))]);
    expect(code).toBe(2);
    const lines = Buffer.concat(chunks).toString("utf8").split("\n").filter(Boolean);
    expect(lines).toHaveLength(2000);
    lines.forEach((l, i) => expect(l.startsWith(`line ${i} `)).toBe(true));
  });

  it("says nothing and goes on when nobody reads stderr any more", () => {
    // fd 2 closed: the write fails with EBADF; the program still ends with its own code.
    const r = spawnSync(process.execPath, program(`require("node:fs").closeSync(2); out.writeStderr("gone\\n"); out.endProcess(4);`));
    expect(r.status).toBe(4);
  });
});
