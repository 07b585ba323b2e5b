// The reads the bin starts before it loads the driver (earlyReads.ts): which inputs it starts
// reading, and that the driver takes those reads only after its own checks, for the same files.

import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { spawnSync } from "node:child_process";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { startEarlyReads } from "../../src/driver/earlyReads";
import { readDriverInputsAtOnce } from "../../src/driver/readInputs";
import { runMergeDriver } from "../../src/driver/runMergeDriver";
import { AT_ONCE_FROM_BYTES } from "../../src/io/readWhole";
import { writeLargeState } from "../support/largeState";
import { BIN, fixtureText } from "../support/fixtures";

type Files = { base: string; ours: string; theirs: string };

/** Three files of `size` bytes, each its own byte. */
function filled(size: number): Files {
  const dir = mkdtempSync(join(tmpdir(), "statefile-merge-early-"));
  const files = { base: join(dir, "base"), ours: join(dir, "ours"), theirs: join(dir, "theirs") };
  Object.values(files).forEach((f, i) => writeFileSync(f, Buffer.alloc(size, 0x41 + i)));
  return files;
}

const LARGE_EACH = Math.ceil(AT_ONCE_FROM_BYTES / 3) + 1;

describe("startEarlyReads", () => {
  it("reads inputs of the at-once size, each into its own side", async () => {
    const files = filled(LARGE_EACH);
    const early = startEarlyReads(files);
    expect(early?.sizes).toEqual([LARGE_EACH, LARGE_EACH, LARGE_EACH]);
    const contents = await early!.contents;
    expect(contents.map((b) => [b.length, b[0], b[b.length - 1]])).toEqual([
      [LARGE_EACH, 0x41, 0x41],
      [LARGE_EACH, 0x42, 0x42],
      [LARGE_EACH, 0x43, 0x43],
    ]);
  });

  it("starts nothing for small inputs, a missing file, a directory, or a file over the per-file limit", () => {
    expect(startEarlyReads(filled(1000))).toBeUndefined();
    const large = filled(LARGE_EACH);
    expect(startEarlyReads({ ...large, theirs: large.theirs + ".gone" })).toBeUndefined();
    const dir = mkdtempSync(join(tmpdir(), "statefile-merge-early-dir-"));
    expect(startEarlyReads({ ...large, base: dir })).toBeUndefined();
    expect(startEarlyReads(large, LARGE_EACH - 1)).toBeUndefined();
    expect(startEarlyReads(large, LARGE_EACH)).toBeDefined();
  });
});

describe("readDriverInputsAtOnce given early reads", () => {
  const files = filled(LARGE_EACH);
  const budget = () => 3 * LARGE_EACH;
  /** Reads that say they are of these files but hold other bytes: taken, they show. */
  const stand = (sizes: number[]) => ({ sizes, contents: Promise.resolve([Buffer.from("b"), Buffer.from("o"), Buffer.from("t")]) });

  it("takes them when the files still have the sizes they were read at", async () => {
    const read = await readDriverInputsAtOnce(files, undefined, budget, stand([LARGE_EACH, LARGE_EACH, LARGE_EACH]));
    expect(read.kind === "read" && [read.inputs.base, read.inputs.ours, read.inputs.theirs].map(String)).toEqual(["b", "o", "t"]);
  });

  it("reads the files again when a size changed since", async () => {
    const read = await readDriverInputsAtOnce(files, undefined, budget, stand([LARGE_EACH, LARGE_EACH - 1, LARGE_EACH]));
    expect(read.kind === "read" && read.inputs.ours.length).toBe(LARGE_EACH);
  });

  it("still refuses inputs over the heap budget or the per-file limit", async () => {
    const early = stand([LARGE_EACH, LARGE_EACH, LARGE_EACH]);
    expect((await readDriverInputsAtOnce(files, undefined, () => 3 * LARGE_EACH - 1, early)).kind).toBe("tooLarge");
    expect((await readDriverInputsAtOnce(files, LARGE_EACH - 1, budget, early)).kind).toBe("tooLarge");
  });

  it("reports a read that failed as the checked read would", async () => {
    const failed = { sizes: [LARGE_EACH, LARGE_EACH, LARGE_EACH], contents: Promise.reject(new Error("EIO: i/o error")) };
    failed.contents.catch(() => undefined);
    expect(await readDriverInputsAtOnce(files, undefined, budget, failed)).toEqual({ kind: "unreadable", message: "cannot read an input (EIO: i/o error); pass three readable files" });
  });
});

describe("the bin", () => {
  /** Git's three temporary files in a fresh directory: a state over the at-once size, or the small fixtures. */
  function gitFiles(large: boolean): { dir: string; files: Files } {
    const dir = mkdtempSync(join(tmpdir(), "statefile-merge-early-bin-"));
    mkdirSync(join(dir, "home"));
    const files = { base: join(dir, ".merge_file_O"), ours: join(dir, ".merge_file_A"), theirs: join(dir, ".merge_file_B") };
    if (large) {
      const count = 2000;
      writeLargeState(files.base, { count });
      writeLargeState(files.ours, { count, changes: new Map([[5, { state: "5" }], [900, { toplevel: "/nix/store/ours" }]]) });
      writeLargeState(files.theirs, { count, changes: new Map([[77, { state: "6" }], [900, { toplevel: "/nix/store/theirs" }]]) });
    } else {
      writeFileSync(files.base, fixtureText("ec2-prod-5machines"));
      writeFileSync(files.ours, fixtureText("ec2-prod-after-teammate-deploy"));
      writeFileSync(files.theirs, fixtureText("ec2-prod-5machines"));
    }
    return { dir, files };
  }

  for (const large of [true, false]) {
    it(`reads ${large ? "inputs over 4 MB while the driver loads" : "small inputs as before, loading nothing more"}, with the result the driver gives`, () => {
      const { dir, files } = gitFiles(large);
      const expectedFile = join(dir, "expected");
      copyFileSync(files.ours, expectedFile);
      const lines: string[] = [];
      const labels = { baseLabel: "base", oursLabel: "ours", theirsLabel: "theirs" };
      const expectedStatus = runMergeDriver({ ...files, ...labels, ours: expectedFile, path: "state.json", conflictStyle: "merge" }, { stderr: (l) => lines.push(l + "\n"), stdout: () => undefined });
      const env = { ...process.env, HOME: join(dir, "home"), GIT_CONFIG_NOSYSTEM: "1", GIT_CONFIG_GLOBAL: join(dir, "home", ".gitconfig"), STATEFILE_MERGE_TIMING: "1" };
      const args = [BIN, "merge", files.base, files.ours, files.theirs, "-p", "state.json", "-s", "base", "-x", "ours", "-y", "theirs", "--conflict-style", "merge"];
      const r = spawnSync(process.execPath, args, { cwd: dir, env, encoding: "utf8" });
      expect(r.stderr.replace(/^statefile-merge: timing: .*\n/gm, "")).toBe(lines.join(""));
      expect(r.status).toBe(expectedStatus);
      expect(r.stderr.includes("ms inputs reading\n")).toBe(large);
      expect(readFileSync(files.ours).equals(readFileSync(expectedFile))).toBe(true);
    });
  }
});
