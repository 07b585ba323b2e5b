// When the driver asks for the heap's size (node:v8, a few milliseconds to load) and what it does
// with the answer: inputs too large for the heap go to the line merge without being read.

import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { readDriverInputs } from "../../src/driver/readInputs";
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
  for (const f of Object.values(files)) writeFileSync(f, Buffer.alloc(size, 0x20));
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
