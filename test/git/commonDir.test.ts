// commonGitDir: the directory a repository's worktrees share, absolute from anywhere in it.

import { mkdirSync, mkdtempSync, realpathSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { commonGitDir } from "../../src/git/commonDir";
import { TempRepo } from "../support/gitRepo";

describe("commonGitDir", () => {
  it("is the main .git, absolute, from the top, from a subdirectory and from a linked worktree", () => {
    const repo = TempRepo.create();
    repo.write("deploy/state.nixops.json", "{}\n").git("add", ".");
    repo.git("commit", "-q", "-m", "state");
    const linked = join(repo.dir, "..", "linked");
    repo.git("worktree", "add", "-q", linked);
    const main = join(realpathSync(repo.dir), ".git");
    // Git prints ".git" at the top and "../.git" below it: both must come back as the same absolute path.
    expect(commonGitDir(repo.dir)).toBe(main);
    expect(commonGitDir(join(repo.dir, "deploy"))).toBe(main);
    expect(commonGitDir(join(linked, "deploy"))).toBe(main);
  });

  it("is null outside any repository", () => {
    const outside = join(mkdtempSync(join(tmpdir(), "statefile-merge-outside-")), "plain");
    mkdirSync(outside);
    expect(commonGitDir(outside)).toBeNull();
  });
});
