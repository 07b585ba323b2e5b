// runGit: how git's end is reported, also when git exits before it read what it was given.

import { describe, expect, it } from "vitest";
import { GitError, runGit } from "../../src/git/run";
import { TempRepo } from "../support/gitRepo";

describe("runGit", () => {
  it("git that exits without reading its input (a failing hook) gives its exit status, not a failure to run", () => {
    const repo = TempRepo.create();
    // More than a pipe holds: the write fails with EPIPE once git has exited.
    const input = "x".repeat(1 << 20);
    const ok = runGit(repo.dir, ["rev-parse", "--git-dir"], input);
    expect(ok.status).toBe(0);
    expect(ok.stdout.toString("utf8").trim()).toBe(".git");
    const failed = runGit(repo.dir, ["rev-parse", "--verify", "no-such-ref"], input);
    expect(failed.status).not.toBe(0);
  });

  it("a git that cannot start is still a GitError", () => {
    expect(() => runGit("/no/such/directory", ["status"])).toThrow(GitError);
  });
});
