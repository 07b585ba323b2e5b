// The label look-up for Git < 2.44 in isolation: command-line parsing and laziness. The flows
// (rebase, cherry-pick, revert, am, stash) check the labels themselves with the real git.

import { describe, expect, it } from "vitest";
import { gitSubcommand, labelsAreLiteral, parentGitCommand, withRepositoryLabels } from "../../../src/git/labels";

describe("which git command called the driver", () => {
  it("reads the subcommand past git's own options", () => {
    expect(gitSubcommand(["git", "-c", "merge.conflictStyle=diff3", "-C", "/r", "--no-pager", "merge", "topic"])).toEqual({ sub: "merge", args: ["topic"] });
    expect(gitSubcommand(["/usr/lib/git-core/git", "am", "--rebasing"])).toEqual({ sub: "am", args: ["--rebasing"] });
    expect(gitSubcommand(["/bin/sh", "-c", "git merge x"])).toBeNull();
    expect(gitSubcommand(["git", "--version"])).toBeNull();
  });

  it("walks up from the shell Git ran the driver in", () => {
    const table: Record<number, { argv: string[]; ppid: number }> = {
      30: { argv: ["/bin/sh", "-c", "node bin merge ..."], ppid: 20 },
      20: { argv: ["git", "cherry-pick", "topic"], ppid: 10 },
      10: { argv: ["bash"], ppid: 1 },
    };
    expect(parentGitCommand(30, (pid) => table[pid] ?? null)).toEqual({ sub: "cherry-pick", args: ["topic"] });
    expect(parentGitCommand(10, (pid) => table[pid] ?? null)).toBeNull();
  });
});

describe("withRepositoryLabels", () => {
  const markers = () => ({ size: 7, base: "base", ours: "ours", theirs: "theirs" });

  it("leaves labels Git expanded alone and never looks at the repository", () => {
    let calls = 0;
    const m = withRepositoryLabels(markers(), { baseLabel: "b", oursLabel: "HEAD", theirsLabel: "topic" }, () => (calls++, null));
    expect([m.base, m.ours, m.theirs, calls]).toEqual(["base", "ours", "theirs", 0]);
    expect(labelsAreLiteral({ baseLabel: "", oursLabel: "", theirsLabel: "" })).toBe(false);
  });

  it("derives literal placeholders once, and only when a label is read", () => {
    let calls = 0;
    const derive = () => (calls++, { base: "B", ours: "O", theirs: "T" });
    const m = withRepositoryLabels(markers(), { baseLabel: "%S", oursLabel: "%X", theirsLabel: "%Y" }, derive);
    expect(calls).toBe(0);
    expect([m.ours, m.theirs, m.base, m.ours]).toEqual(["O", "T", "B", "O"]);
    expect(calls).toBe(1);
  });

  it("falls back to plain labels when the repository tells nothing (or the look-up fails)", () => {
    const m = withRepositoryLabels({ size: 7, base: "b0", ours: "o0", theirs: "t0" }, { baseLabel: "%S", oursLabel: "%X", theirsLabel: "%Y" }, () => {
      throw new Error("no git");
    });
    expect([m.base, m.ours, m.theirs]).toEqual(["base", "ours", "theirs"]);
  });
});
