// Conflicts made again from the index: `checkout -m`, `checkout --conflict=diff3`, and rerere
// replaying a recorded resolution (its inputs hold conflict markers: the driver falls back).

import { describe, expect, it } from "vitest";
import type { TempRepo } from "../../support/gitRepo";
import {
  FILE,
  hunks,
  oursChange,
  oursDeploy,
  pickAll,
  stateWith,
  theirsChange,
  theirsDeploy,
  installedRepoCopies,
  runBin,
  diverge,
} from "../../support/flowRepo";

const freshRepo = installedRepoCopies();

function conflicted(): TempRepo {
  const repo = diverge(freshRepo(), stateWith(oursDeploy, oursChange), stateWith(theirsDeploy, theirsChange));
  expect(repo.tryGit("merge", "topic").status).toBe(1);
  return repo;
}

describe("conflicts recreated from the index", () => {
  it("checkout -m runs the driver again on the original three versions", () => {
    const repo = conflicted();
    const first = repo.read(FILE);
    repo.write(FILE, "half-edited, broken\n");
    const r = repo.tryGit("checkout", "-m", "--", FILE);
    expect(r.status).toBe(0);
    const again = repo.read(FILE);
    expect(hunks(again)).toHaveLength(1);
    // A record merge again (theirs' clean change is in the ours section), not Git's line merge.
    expect(pickAll(again, "ours")).toBe(stateWith(oursDeploy, oursChange, theirsChange));
    expect(pickAll(again, "ours")).toBe(pickAll(first, "ours"));
    expect(pickAll(again, "theirs")).toBe(pickAll(first, "theirs"));
    expect(repo.unmerged()).toEqual([FILE]);
  });

  it("checkout --conflict=diff3 runs the driver again (the style reaches it only through merge.conflictStyle, copied by install)", () => {
    const repo = conflicted();
    repo.write(FILE, "{}\n");
    repo.git("config", "merge.conflictStyle", "diff3");
    // install copies the style into the driver command (the driver then never asks git config).
    expect(runBin(repo, ["install"]).status).toBe(0);
    expect(repo.tryGit("checkout", "--conflict=diff3", "--", FILE).status).toBe(0);
    const [hunk, ...rest] = hunks(repo.read(FILE));
    expect(rest).toEqual([]);
    expect(hunk.base).not.toBeNull();
    expect(pickAll(repo.read(FILE), "theirs")).toBe(stateWith(theirsDeploy, oursChange, theirsChange));
    expect(repo.unmerged()).toEqual([FILE]);
  });
});

describe("rerere", () => {
  it("replays a recorded resolution: the driver sees markers, falls back, and says so", () => {
    const repo = freshRepo();
    repo.git("config", "rerere.enabled", "true");
    diverge(repo, stateWith(oursDeploy, oursChange), stateWith(theirsDeploy, theirsChange));
    const mainTip = repo.git("rev-parse", "HEAD").trim();

    expect(repo.tryGit("merge", "topic").status).toBe(1);
    const resolution = pickAll(repo.read(FILE), "theirs");
    repo.write(FILE, resolution);
    repo.git("add", FILE);
    repo.git("commit", "-q", "--no-edit");

    repo.git("reset", "-q", "--hard", mainTip);
    const r = repo.tryGit("merge", "topic");
    expect(r.status).toBe(1);
    expect(r.stderr + r.stdout).toMatch(/Resolved '.*' using previous resolution/);
    expect(r.stderr).toMatch(/statefile-merge: .*conflict markers.*line by line/);
    expect(repo.read(FILE)).toBe(resolution);
    // rerere fixes the work tree only; the index keeps the conflict until `git add`.
    expect(repo.unmerged()).toEqual([FILE]);
  });
});
