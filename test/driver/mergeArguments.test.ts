// The merge options' one table: the bin's quick reader and the full command line both take
// every option it lists, and the quick reader steps aside for anything unusual.

import { describe, expect, it } from "vitest";
import { MERGE_OPTIONS, plainMergeArguments } from "../../src/driver/mergeArguments";
import { buildProgram } from "../../src/cli";

describe("merge arguments", () => {
  it("reads Git's driver line into the driver's options", () => {
    const got = plainMergeArguments(["%O", "%A", "%B", "-p", "state.json", "-l", "9", "-s", "base", "-x", "HEAD", "-y", "topic", "--conflict-style", "zdiff3"]);
    expect(got).toEqual({ base: "%O", ours: "%A", theirs: "%B", path: "state.json", markerSize: 9, baseLabel: "base", oursLabel: "HEAD", theirsLabel: "topic", conflictStyle: "zdiff3", virtualBase: false });
  });

  it("leaves anything unusual to the full command line", () => {
    for (const args of [
      ["a", "b", "c", "--path=x"],
      ["a", "b", "c", "-p", "x", "--path", "y"],
      ["a", "b", "c", "--nope"],
      ["a", "b", "c", "-l", "0"],
      ["a", "b", "c", "--conflict-style", "fancy"],
      ["a", "b", "c", "-p", "-x"],
      ["a", "b"],
      ["--help"],
    ]) {
      expect(plainMergeArguments(args)).toBeNull();
    }
  });

  it("the full command line offers every option of the table, with its short form", () => {
    const merge = buildProgram().commands.find((c) => c.name() === "merge")!;
    const offered = merge.options.map((o) => [o.short, o.long]);
    for (const o of MERGE_OPTIONS) expect(offered).toContainEqual([o.short, o.long]);
    expect(merge.options).toHaveLength(MERGE_OPTIONS.length);
  });
});
