// Whole files read off the main thread: the bytes readFileSync gives, whichever way they are
// read (one after the other below AT_ONCE_FROM_BYTES, at once above it), including a file that
// holds more than its stat says.

import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import fc from "fast-check";
import { AT_ONCE_FROM_BYTES, readFiles, readWhole } from "../../src/io/readWhole";

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function files(contents: Buffer[]): string[] {
  const dir = mkdtempSync(join(tmpdir(), "statefile-merge-read-"));
  dirs.push(dir);
  return contents.map((c, i) => {
    const file = join(dir, `f${i}`);
    writeFileSync(file, c);
    return file;
  });
}

/** Bytes that differ from place to place, so a piece read at the wrong offset shows. */
function bytes(size: number, seed: number): Buffer {
  const b = Buffer.allocUnsafe(size);
  for (let i = 0; i < size; i++) b[i] = (i * 31 + seed * 7 + (i >> 8)) & 0xff;
  return b;
}

describe("readWhole", () => {
  it("gives a file's bytes, empty or larger than one read buffer", async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 0, max: 3 * 1024 * 1024 }), fc.integer({ min: 0, max: 255 }), async (size, seed) => {
        const [file] = files([bytes(size, seed)]);
        expect((await readWhole(file)).equals(readFileSync(file))).toBe(true);
      }),
      { numRuns: 12 },
    );
  });

  it("reads past the size fstat gave (a file that grew: /proc files say 0 bytes)", async () => {
    const file = "/proc/self/mountinfo";
    if (!existsSync(file)) return;
    const read = await readWhole(file);
    expect(read.length).toBeGreaterThan(0);
    expect(read.toString("utf8").split("\n")[0]).toBe(readFileSync(file, "utf8").split("\n")[0]);
  });

  it("rejects with the system's code for a file it cannot open", async () => {
    await expect(readWhole(join(tmpdir(), "statefile-merge-no-such-file"))).rejects.toMatchObject({ code: "ENOENT" });
  });
});

describe("readFiles", () => {
  it("gives the same bytes below and above the size where it reads at once", async () => {
    const small = [bytes(1000, 1), bytes(0, 2), bytes(70_000, 3)];
    const each = Math.ceil(AT_ONCE_FROM_BYTES / 3) + 1;
    const large = [bytes(each, 4), bytes(each + 5, 5), bytes(each - 7, 6)];
    for (const contents of [small, large]) {
      const names = files(contents);
      const read = await readFiles(names, contents.map((c) => c.length));
      expect(read.map((b, i) => b.equals(contents[i]))).toEqual([true, true, true]);
    }
  });

  it("rejects when one file cannot be read, either way", async () => {
    const [ok] = files([bytes(10, 1)]);
    const missing = join(tmpdir(), "statefile-merge-no-such-file");
    await expect(readFiles([ok, missing], [10, 0])).rejects.toMatchObject({ code: "ENOENT" });
    await expect(readFiles([ok, missing], [10, AT_ONCE_FROM_BYTES])).rejects.toMatchObject({ code: "ENOENT" });
  });
});
