// Commands that replay commits or changes: rebase (both backends), cherry-pick, revert,
// stash pop and am -3. In a rebase "ours" is the upstream and "theirs" is the commit being
// replayed; the conflict labels must say so, also on Git < 2.44 where %X/%Y arrive literally.

import { describe, expect, it } from "vitest";
import type { TempRepo } from "../../support/gitRepo";
import {
  FILE,
  baseState,
  commitOnMain,
  gitAtLeast,
  hunks,
  oursChange,
  oursDeploy,
  pickAll,
  stateWith,
  theirsChange,
  theirsDeploy,
  installedRepoCopies,
  diverge,
} from "../../support/flowRepo";

const freshRepo = installedRepoCopies();

function diverged(ours: string, theirs: string, subject = "deploy app1 from topic"): TempRepo {
  return diverge(freshRepo(), ours, theirs, { ours: "deploy app1 from main", theirs: subject });
}

function describeCommit(repo: TempRepo, rev: string): string {
  return repo.git("log", "-1", "--format=%h (%s)", rev).trim();
}

describe("git rebase", () => {
  for (const backend of [[], ["--apply"]]) {
    const name = backend.length ? "apply" : "merge";

    it(`${name} backend: clean through the driver`, () => {
      const repo = diverged(stateWith(oursChange), stateWith(theirsChange));
      repo.git("checkout", "-q", "topic");
      const r = repo.tryGit("rebase", ...backend, "main");
      expect(r.status).toBe(0);
      expect(repo.read(FILE)).toBe(stateWith(oursChange, theirsChange));
      expect(repo.git("log", "--format=%s", "-2")).toBe("deploy app1 from topic\ndeploy app1 from main\n");
    });

    it(`${name} backend: a conflict labels the upstream and the replayed commit`, () => {
      const repo = diverged(stateWith(oursDeploy), stateWith(theirsDeploy));
      const replayed = describeCommit(repo, "topic");
      repo.git("checkout", "-q", "topic");
      const r = repo.tryGit("rebase", ...backend, "main");
      expect(r.status).not.toBe(0);
      expect(repo.unmerged()).toEqual([FILE]);
      const text = repo.read(FILE);
      const [hunk, ...rest] = hunks(text);
      expect(rest).toEqual([]);
      // Ours is the upstream (main's deploy); theirs is the topic commit being replayed.
      expect(hunk.ours.join("\n")).toContain("0000ours-nixos-system-app1");
      expect(hunk.theirs.join("\n")).toContain("theirs-nixos-system-app1");
      if (gitAtLeast(repo, 2, 44)) {
        expect(hunk.oursLabel).toBe("HEAD");
        expect(hunk.theirsLabel).toContain("deploy app1 from topic");
      } else {
        expect(hunk.oursLabel).toBe("HEAD (upstream, being rebased onto)");
        expect(hunk.theirsLabel).toBe(`${replayed} (commit being replayed)`);
      }
      expect(pickAll(text, "theirs")).toBe(stateWith(theirsDeploy));
    });
  }
});

describe("git cherry-pick", () => {
  it("clean through the driver", () => {
    const repo = diverged(stateWith(oursChange), stateWith(theirsChange));
    expect(repo.tryGit("cherry-pick", "topic").status).toBe(0);
    expect(repo.read(FILE)).toBe(stateWith(oursChange, theirsChange));
  });

  it("a conflict names the picked commit", () => {
    const repo = diverged(stateWith(oursDeploy), stateWith(theirsDeploy));
    const picked = describeCommit(repo, "topic");
    expect(repo.tryGit("cherry-pick", "topic").status).toBe(1);
    expect(repo.unmerged()).toEqual([FILE]);
    const [hunk] = hunks(repo.read(FILE));
    expect(hunk.oursLabel).toBe("HEAD");
    expect(hunk.theirsLabel).toBe(gitAtLeast(repo, 2, 44) ? picked : `${picked} (commit being cherry-picked)`);
  });
});

describe("git revert", () => {
  it("undoes one deploy next to a later change on the adjacent line", () => {
    const repo = freshRepo();
    commitOnMain(repo, stateWith(oursChange), "set app1's public address");
    commitOnMain(repo, stateWith(oursChange, theirsChange), "app1 no longer pinged");
    const r = repo.tryGit("revert", "--no-edit", "HEAD~1");
    expect(r.status).toBe(0);
    expect(repo.read(FILE)).toBe(stateWith(theirsChange));
  });

  it("a conflict: theirs is the parent of the reverted commit", () => {
    const repo = freshRepo();
    commitOnMain(repo, stateWith(oursDeploy), "deploy A");
    commitOnMain(repo, stateWith(theirsDeploy), "deploy B");
    const reverted = describeCommit(repo, "HEAD~1");
    expect(repo.tryGit("revert", "--no-edit", "HEAD~1").status).toBe(1);
    expect(repo.unmerged()).toEqual([FILE]);
    const [hunk] = hunks(repo.read(FILE));
    // Ours keeps deploy B; theirs goes back to the base's toplevel.
    expect(hunk.ours.join("\n")).toContain("theirs-nixos-system-app1");
    expect(hunk.theirs.join("\n")).toContain(baseState().get("prod", "app1", "toplevel")!);
    expect(hunk.theirsLabel).toBe(gitAtLeast(repo, 2, 44) ? `parent of ${reverted}` : `parent of ${reverted} (reverting it)`);
  });
});

describe("git stash pop", () => {
  it("clean through the driver", () => {
    const repo = freshRepo();
    repo.write(FILE, stateWith(theirsChange));
    repo.git("stash", "-q");
    commitOnMain(repo, stateWith(oursChange), "deploy");
    const r = repo.tryGit("stash", "pop");
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    expect(repo.read(FILE)).toBe(stateWith(oursChange, theirsChange));
    expect(repo.git("stash", "list")).toBe("");
  });

  it("a conflict keeps the stash and labels Git's way", () => {
    const repo = freshRepo();
    repo.write(FILE, stateWith(theirsDeploy));
    repo.git("stash", "-q");
    commitOnMain(repo, stateWith(oursDeploy), "deploy");
    expect(repo.tryGit("stash", "pop").status).toBe(1);
    expect(repo.unmerged()).toEqual([FILE]);
    const [hunk] = hunks(repo.read(FILE));
    expect(hunk.oursLabel).toBe("Updated upstream");
    expect(hunk.theirsLabel).toBe("Stashed changes");
    expect(repo.git("stash", "list")).not.toBe("");
  });
});

describe("git am -3", () => {
  it("clean through the driver where the patch does not apply as is", () => {
    const repo = diverged(stateWith(oursChange), stateWith(theirsChange));
    const patch = repo.git("format-patch", "-1", "--stdout", "topic");
    repo.write("../topic.patch", patch);
    const r = repo.tryGit("am", "-3", "../topic.patch");
    expect(r.status).toBe(0);
    expect(repo.read(FILE)).toBe(stateWith(oursChange, theirsChange));
    expect(repo.git("log", "-1", "--format=%s")).toBe("deploy app1 from topic\n");
  });

  it("a conflict names the patch", () => {
    const repo = diverged(stateWith(oursDeploy), stateWith(theirsDeploy));
    repo.write("../topic.patch", repo.git("format-patch", "-1", "--stdout", "topic"));
    expect(repo.tryGit("am", "-3", "../topic.patch").status).not.toBe(0);
    expect(repo.unmerged()).toEqual([FILE]);
    const [hunk] = hunks(repo.read(FILE));
    expect(hunk.oursLabel).toBe("HEAD");
    expect(hunk.theirsLabel).toBe(gitAtLeast(repo, 2, 44) ? "deploy app1 from topic" : "deploy app1 from topic (patch being applied)");
  });
});
