// The helper that lets tests needing git-crypt skip on a machine without it, except under CI.
// A real temporary PATH stands for the machine: one directory with an executable, one without.

import { chmodSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { delimiter, join } from "node:path";
import { afterEach, describe, expect, it, vi } from "vitest";
import { onPath, requireTool, underCi } from "./requireTool";

function binDir(files: Record<string, number>): string {
  const dir = mkdtempSync(join(tmpdir(), "statefile-merge-path-"));
  for (const [name, mode] of Object.entries(files)) {
    writeFileSync(join(dir, name), "#!/bin/sh\nexit 0\n");
    chmodSync(join(dir, name), mode);
  }
  return dir;
}

describe("requireTool", () => {
  const withTool = binDir({ "fake-crypt": 0o755 });
  const withoutTool = binDir({ "fake-crypt": 0o644, other: 0o755 });
  const stderr = () => vi.spyOn(process.stderr, "write").mockImplementation(() => true);
  afterEach(() => vi.restoreAllMocks());

  it("finds an executable on the PATH, and not a file that cannot be run", () => {
    expect(onPath("fake-crypt", [withoutTool, withTool].join(delimiter))).toBe(true);
    expect(onPath("fake-crypt", withoutTool)).toBe(false);
    expect(onPath("fake-crypt", "")).toBe(false);
  });

  it("installed: true, and nothing printed, with or without CI", () => {
    const write = stderr();
    expect(requireTool("fake-crypt", "apt-get install fake-crypt", { PATH: withTool })).toBe(true);
    expect(requireTool("fake-crypt", "apt-get install fake-crypt", { PATH: withTool, CI: "true" })).toBe(true);
    expect(write).not.toHaveBeenCalled();
  });

  it("missing outside CI: false, and one line naming the tool and how to get it", () => {
    const write = stderr();
    for (const CI of [undefined, "", "false", "0"]) {
      expect(requireTool("fake-crypt", "apt-get install fake-crypt", { PATH: withoutTool, CI })).toBe(false);
    }
    expect(write).toHaveBeenCalledTimes(4);
    const line = String(write.mock.calls[0][0]);
    expect(line).toBe("skipping tests that need fake-crypt: it is not installed (install it: apt-get install fake-crypt)\n");
  });

  it("missing under CI: throws, naming the tool and how to get it", () => {
    const write = stderr();
    for (const CI of ["true", "1"]) {
      expect(() => requireTool("fake-crypt", "apt-get install fake-crypt", { PATH: withoutTool, CI })).toThrow(
        "fake-crypt is not installed, and under CI the tests that use it must run; install it: apt-get install fake-crypt",
      );
    }
    expect(write).not.toHaveBeenCalled();
    expect(underCi({ CI: "yes" })).toBe(true);
    expect(underCi({})).toBe(false);
  });
});
