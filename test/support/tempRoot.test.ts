// The run's one temporary root (tempRoot.ts): the tests' temporary directories go under it,
// and it is gone, with all of them, when the run ends.

import { existsSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, dirname, join } from "node:path";
import { describe, expect, it } from "vitest";
import setup from "./tempRoot";

describe("the tests' temporary root", () => {
  it("holds this run's temporary directories", () => {
    const dir = mkdtempSync(join(tmpdir(), "statefile-merge-probe-"));
    expect(basename(dirname(dir))).toMatch(/^statefile-merge-tests-/);
  });

  it("is removed with what it holds, and TMPDIR is given back, when the run ends", () => {
    const outer = process.env.TMPDIR;
    const teardown = setup();
    const root = process.env.TMPDIR!;
    try {
      expect(root).not.toBe(outer);
      const inner = mkdtempSync(join(tmpdir(), "x-"));
      writeFileSync(join(inner, "file"), "left behind\n");
      expect(dirname(inner)).toBe(root);
    } finally {
      teardown();
    }
    expect(existsSync(root)).toBe(false);
    expect(process.env.TMPDIR).toBe(outer);
  });
});
