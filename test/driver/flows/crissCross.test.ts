// Criss-cross history: two merge bases, so Git first merges the bases into a virtual one.
// With install's `recursive` driver the virtual base is valid JSON (conflicts take the base);
// without it, the virtual base holds markers and the outer merge falls back to a line merge.

import { describe, expect, it } from "vitest";
import type { TempRepo } from "../../support/gitRepo";
import { FILE, oursChange, oursDeploy, stateWith, theirsChange, theirsDeploy, installedRepoCopies } from "../../support/flowRepo";

const freshRepo = installedRepoCopies();

/**
 * X1 and Y1 deploy app1 differently; X2 and Y2 merge each other's branch and settle on the
 * same resolution; X3 and Y3 then change adjacent lines. Merging Y3 into X3 has two merge
 * bases (X1, Y1) whose own merge conflicts.
 */
function crissCross(): TempRepo {
  const repo = freshRepo();
  const resolved = stateWith(oursDeploy);
  repo.git("checkout", "-q", "-b", "x");
  repo.write(FILE, stateWith(oursDeploy)).commit("X1");
  repo.git("checkout", "-q", "-b", "y", "main");
  repo.write(FILE, stateWith(theirsDeploy)).commit("Y1");
  repo.git("checkout", "-q", "x");
  repo.tryGit("merge", "y~0", "-m", "X2");
  repo.write(FILE, resolved).commit("X2: merge Y1");
  repo.git("checkout", "-q", "y");
  repo.tryGit("merge", "x~1", "-m", "Y2");
  repo.write(FILE, resolved).commit("Y2: merge X1");
  repo.git("checkout", "-q", "x");
  repo.write(FILE, stateWith(oursDeploy, oursChange)).commit("X3");
  repo.git("checkout", "-q", "y");
  repo.write(FILE, stateWith(oursDeploy, theirsChange)).commit("Y3");
  repo.git("checkout", "-q", "x");
  expect(repo.git("merge-base", "--all", "x", "y").trim().split("\n")).toHaveLength(2);
  return repo;
}

describe("criss-cross merges", () => {
  it("with install's recursive driver: a valid virtual base, a clean record merge", () => {
    const repo = crissCross();
    expect(repo.git("config", "merge.statefile.recursive").trim()).toBe("statefile-virtual");
    const r = repo.tryGit("merge", "y");
    expect(r.stderr).not.toMatch(/line by line/);
    expect(r.status).toBe(0);
    expect(repo.read(FILE)).toBe(stateWith(oursDeploy, oursChange, theirsChange));
    expect(repo.unmerged()).toEqual([]);
  });

  it("without a recursive setting: the base holds markers, so a line merge, said on stderr", () => {
    const repo = crissCross();
    repo.git("config", "--unset", "merge.statefile.recursive");
    const r = repo.tryGit("merge", "y");
    expect(r.stderr).toMatch(/statefile-merge: prod\.nixops\.json: base already holds conflict markers.*line by line with git merge-file/);
    // The adjacent-line changes conflict in a line merge: a conflict, never a wrong clean result.
    expect(r.status).toBe(1);
    expect(repo.unmerged()).toEqual([FILE]);
    expect(repo.read(FILE)).toMatch(/^<{7} /m);
  });
});
