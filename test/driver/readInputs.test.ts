// When the driver asks for the heap's size (node:v8, a few milliseconds to load) and what it does
// with the answer: inputs too large for the heap go to the line merge without being read. The
// bin's reading (all three at once) answers as the one-by-one reading does.

import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { createHash } from "node:crypto";
import { readDriverInputs, readDriverInputsAtOnce, type ReadOutcome } from "../../src/driver/readInputs";
import { AT_ONCE_FROM_BYTES } from "../../src/io/readWhole";
import { SMALL_TOTAL_INPUT_BYTES } from "../../src/driver/inputLimit";

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** Three files of `size` bytes each. */
function inputs(size: number): { base: string; ours: string; theirs: string } {
  const dir = mkdtempSync(join(tmpdir(), "statefile-merge-inputs-"));
  dirs.push(dir);
  const files = { base: join(dir, "base"), ours: join(dir, "ours"), theirs: join(dir, "theirs") };
  // Each file its own bytes, so that inputs read into the wrong side show.
  Object.values(files).forEach((f, i) => writeFileSync(f, Buffer.alloc(size, 0x20 + i)));
  return files;
}

describe("readDriverInputs and the heap budget", () => {
  it("never asks for the budget while the three inputs total at most the small-input size", () => {
    const asked: number[] = [];
    const outcome = readDriverInputs(inputs(Math.floor(SMALL_TOTAL_INPUT_BYTES / 3)), undefined, () => {
      asked.push(1);
      return 0;
    });
    expect(asked).toEqual([]);
    expect(outcome.kind).toBe("read");
  });

  it("asks above it, and sends inputs over the budget to the line merge unread", () => {
    const each = Math.floor(SMALL_TOTAL_INPUT_BYTES / 3) + 1024;
    const over = readDriverInputs(inputs(each), undefined, () => 3 * each - 1);
    expect(over).toEqual({ kind: "tooLarge", reason: `the three inputs total ${3 * each} bytes, over the ${3 * each - 1}-byte budget of a structured merge` });
    expect(readDriverInputs(inputs(each), undefined, () => 3 * each).kind).toBe("read");
  });
});

describe("readDriverInputsAtOnce", () => {
  it("answers as readDriverInputs: small and large inputs read, too large, missing, a directory", async () => {
    const small = inputs(1000);
    const large = inputs(Math.ceil(AT_ONCE_FROM_BYTES / 3) + 1);
    const budget = () => 3 * (Math.ceil(AT_ONCE_FROM_BYTES / 3) + 1);
    const cases = [
      { files: small, budget },
      { files: large, budget },
      { files: large, budget: () => 1 },
      { files: { ...small, theirs: small.theirs + ".missing" }, budget },
      { files: { ...small, base: dirs[0] }, budget },
    ];
    // Buffers as hex digests: a deep comparison of megabytes byte by byte takes seconds.
    const summary = (o: ReadOutcome) =>
      o.kind === "read" ? { kind: o.kind, digests: [o.inputs.base, o.inputs.ours, o.inputs.theirs].map((b) => createHash("sha256").update(b).digest("hex")) } : o;
    for (const c of cases) {
      const oneByOne = readDriverInputs(c.files, undefined, c.budget);
      expect(summary(await readDriverInputsAtOnce(c.files, undefined, c.budget))).toEqual(summary(oneByOne));
    }
    expect(cases.map((c) => readDriverInputs(c.files, undefined, c.budget).kind)).toEqual(["read", "read", "tooLarge", "unreadable", "unreadable"]);
  });

  it("honours the per-file limit before reading", async () => {
    const files = inputs(100);
    expect(await readDriverInputsAtOnce(files, 99)).toEqual({ kind: "tooLarge", reason: "base is 100 bytes, over the 99-byte limit" });
  });
});
