// writeFileAtomic with the three forms of data the driver hands it, against the real file system.

import { chmodSync, lstatSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import fc from "fast-check";
import { writeFileAtomic } from "../../src/io/atomicWrite";

const dirs: string[] = [];
const tempDir = () => {
  const d = mkdtempSync(join(tmpdir(), "statefile-merge-write-"));
  dirs.push(d);
  return d;
};
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe("writeFileAtomic", () => {
  it("writes chunks in order, more of them than one writev takes, empty ones included", () => {
    const dir = tempDir();
    fc.assert(
      fc.property(fc.array(fc.uint8Array({ maxLength: 40 }), { minLength: 0, maxLength: 3000 }), (chunks) => {
        const file = join(dir, "state.json");
        writeFileAtomic(file, chunks, { durable: false });
        expect(readFileSync(file).equals(Buffer.concat(chunks))).toBe(true);
      }),
      { numRuns: 30 },
    );
    // Nothing left beside it.
    expect(readdirSync(dir)).toEqual(["state.json"]);
  });

  it("writes text as UTF-8 and bytes as they are, durable or not", () => {
    const dir = tempDir();
    const file = join(dir, "state.json");
    writeFileAtomic(file, "Zürich\n");
    expect(readFileSync(file, "utf8")).toBe("Zürich\n");
    writeFileAtomic(file, new Uint8Array([123, 125, 10]), { durable: false });
    expect(readFileSync(file, "utf8")).toBe("{}\n");
  });

  it("keeps the replaced file's mode and replaces a symlink's target, not the link", () => {
    const dir = tempDir();
    const real = join(dir, "real.json");
    writeFileSync(real, "old\n");
    chmodSync(real, 0o640);
    const link = join(dir, "link.json");
    symlinkSync(real, link);
    writeFileAtomic(link, [Buffer.from("new"), Buffer.from("\n")], { durable: false });
    expect(readFileSync(real, "utf8")).toBe("new\n");
    expect(statSync(real).mode & 0o777).toBe(0o640);
    expect(lstatSync(link).isSymbolicLink()).toBe(true);
    expect(readdirSync(dir).sort()).toEqual(["link.json", "real.json"]);
  });
});
