// `git merge` and `git merge-tree` through the installed driver: clean, conflicting, -X ours,
// conflict styles, marker size, renames, add/add and unrelated histories.

import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import type { TempRepo } from "../../support/gitRepo";
import {
  runBin,
  FILE,
  baseState,
  commitOnMain,
  hunks,
  oursChange,
  oursDeploy,
  pickAll,
  stateWith,
  theirsChange,
  theirsDeploy,
  DEPLOYMENT,
  installedRepoCopies,
  diverge,
} from "../../support/flowRepo";

const freshRepo = installedRepoCopies();

/** main changes the file one way, `topic` another, both from the base state. */
const diverged = (ours: string, theirs: string): TempRepo => diverge(freshRepo(), ours, theirs);

describe("git merge", () => {
  it("premise: Git's own line merge conflicts on the adjacent changes the tests use", () => {
    const repo = freshRepo();
    repo.write("o", baseState().text()).write("a", stateWith(oursChange)).write("b", stateWith(theirsChange));
    expect(repo.tryGit("merge-file", "-p", "a", "o", "b").status).toBe(1);
  });

  it("merges changes on adjacent lines cleanly (Git's line merge would conflict)", () => {
    const repo = diverged(stateWith(oursChange), stateWith(theirsChange));
    const r = repo.tryGit("merge", "-q", "topic");
    expect(r.status).toBe(0);
    expect(repo.read(FILE)).toBe(stateWith(oursChange, theirsChange));
    expect(repo.unmerged()).toEqual([]);
    expect(repo.git("status", "--porcelain")).toBe("");
  });

  it("stops at a true conflict: markers around the one attribute, three index stages", () => {
    const repo = diverged(stateWith(oursDeploy, oursChange), stateWith(theirsDeploy, theirsChange));
    const r = repo.tryGit("merge", "topic");
    expect(r.status).toBe(1);
    expect(repo.unmerged()).toEqual([FILE]);
    expect(repo.git("ls-files", "-u").trim().split("\n").map((l) => l.split(/\s+/)[2])).toEqual(["1", "2", "3"]);
    const text = repo.read(FILE);
    const found = hunks(text);
    expect(found).toHaveLength(1);
    expect(found[0].ours.join("\n")).toContain("0000ours-nixos-system-app1");
    expect(found[0].theirs.join("\n")).toContain("theirs-nixos-system-app1");
    expect(found[0].oursLabel).toBe("HEAD");
    expect(found[0].theirsLabel).toBe("topic");
    // Either side of every hunk is the state with the other side's clean change merged in.
    expect(pickAll(text, "ours")).toBe(stateWith(oursDeploy, oursChange, theirsChange));
    expect(pickAll(text, "theirs")).toBe(stateWith(theirsDeploy, oursChange, theirsChange));
    // The driver explains the conflict on stderr, naming machine and attribute.
    expect(r.stderr).toMatch(/statefile-merge: CONFLICT .*app1.*toplevel/);
    expect(r.stdout).not.toMatch(/statefile-merge/);
  });

  it("-X ours does not reach a custom driver: the conflict stays", () => {
    const repo = diverged(stateWith(oursDeploy), stateWith(theirsDeploy));
    const r = repo.tryGit("merge", "-X", "ours", "topic");
    expect(r.status).toBe(1);
    expect(repo.unmerged()).toEqual([FILE]);
    expect(hunks(repo.read(FILE))).toHaveLength(1);
  });

  for (const style of ["diff3", "zdiff3"]) {
    it(`merge.conflictStyle=${style} adds the base section`, () => {
      const repo = diverged(stateWith(oursDeploy), stateWith(theirsDeploy));
      repo.git("config", "merge.conflictStyle", style);
      // install copies the style into the driver command (the driver then never asks git config).
      expect(runBin(repo, ["install"]).status).toBe(0);
      expect(repo.tryGit("merge", "topic").status).toBe(1);
      const [hunk, ...rest] = hunks(repo.read(FILE));
      expect(rest).toEqual([]);
      const baseToplevel = baseState().get(DEPLOYMENT, "app1", "toplevel")!;
      expect(hunk.base?.join("\n")).toContain(baseToplevel);
      expect(hunk.baseLabel).not.toBeNull();
      expect(hunk.baseLabel).not.toBe("%S");
    });
  }

  it("`git -c merge.conflictStyle=diff3` for one merge outranks the style install copied into the driver", () => {
    const repo = diverged(stateWith(oursDeploy), stateWith(theirsDeploy));
    expect(repo.git("config", "merge.statefile.driver")).toMatch(/--conflict-style merge/);
    expect(repo.tryGit("-c", "merge.conflictStyle=diff3", "merge", "topic").status).toBe(1);
    const [hunk, ...rest] = hunks(repo.read(FILE));
    expect(rest).toEqual([]);
    expect(hunk.base?.join("\n")).toContain(baseState().get(DEPLOYMENT, "app1", "toplevel")!);
    // Without it, the same merge keeps the installed style: no base section.
    repo.git("merge", "--abort");
    expect(repo.tryGit("merge", "topic").status).toBe(1);
    expect(hunks(repo.read(FILE))[0].base).toBeNull();
  });

  it("honours conflict-marker-size from .gitattributes", () => {
    const repo = diverged(stateWith(oursDeploy), stateWith(theirsDeploy));
    repo.write(".gitattributes", repo.read(".gitattributes") + `${FILE} conflict-marker-size=12\n`).commit("bigger markers", ".gitattributes");
    expect(repo.tryGit("merge", "topic").status).toBe(1);
    const text = repo.read(FILE);
    expect(hunks(text, 7)).toEqual([]);
    expect(hunks(text, 12)).toHaveLength(1);
    expect(text).toMatch(/^<{12} HEAD$/m);
    expect(pickAll(text, "theirs", 12)).toBe(stateWith(theirsDeploy));
  });

  it("passes the new path as %P when theirs renamed the file", () => {
    const repo = freshRepo();
    const installed = repo.git("config", "merge.statefile.driver").trim();
    const log = `${repo.dir}/../paths.log`;
    // A logging prefix, then exactly the installed command.
    repo.git("config", "merge.statefile.driver", `printf '%%s\\n' %P >>'${log}'; ${installed}`);
    repo.git("checkout", "-q", "-b", "topic");
    repo.git("mv", FILE, "prod-eu.nixops.json");
    repo.write("prod-eu.nixops.json", stateWith(theirsChange)).commit("rename and deploy");
    commitOnMain(repo, stateWith(oursChange), "ours: deploy");
    expect(repo.tryGit("merge", "topic").status).toBe(0);
    expect(repo.read("prod-eu.nixops.json")).toBe(stateWith(oursChange, theirsChange));
    expect(repo.git("ls-files")).not.toContain(FILE + "\n");
    expect(readFileSync(log, "utf8")).toBe("prod-eu.nixops.json\n");
  });

  it("add/add: both branches add the file, merged with an empty base", () => {
    const repo = freshRepo();
    repo.git("rm", "-q", FILE);
    repo.commit("no state yet");
    const full = baseState();
    const withoutApp2 = full.clone().remove(DEPLOYMENT, "app2").text();
    const withoutDb1 = full.clone().remove(DEPLOYMENT, "db1").text();
    diverge(repo, withoutApp2, withoutDb1, { ours: "ours: state without app2", theirs: "theirs: state without db1" });
    const r = repo.tryGit("merge", "topic");
    expect(r.status).toBe(0);
    expect(repo.read(FILE)).toBe(full.text());
    expect(repo.unmerged()).toEqual([]);
  });

  it("unrelated histories: both roots hold the file, true conflicts only where they differ", () => {
    const repo = freshRepo();
    commitOnMain(repo, stateWith(oursDeploy), "ours: deploy");
    repo.git("checkout", "-q", "--orphan", "other");
    repo.write(FILE, stateWith(theirsDeploy, theirsChange)).commit("another history");
    repo.git("checkout", "-q", "main");
    const r = repo.tryGit("merge", "--allow-unrelated-histories", "other");
    expect(r.status).toBe(1);
    expect(repo.unmerged()).toEqual([FILE]);
    const text = repo.read(FILE);
    // No base: every attribute that differs conflicts, every equal one agrees.
    expect(hunks(text)).toHaveLength(2);
    expect(pickAll(text, "ours")).toBe(stateWith(oursDeploy));
    expect(pickAll(text, "theirs")).toBe(stateWith(theirsDeploy, theirsChange));
  });
});

describe("git merge-tree --write-tree", () => {
  it("writes the merged tree and nothing from the driver reaches stdout", () => {
    const repo = diverged(stateWith(oursChange), stateWith(theirsChange));
    const r = repo.tryGit("merge-tree", "--write-tree", "main", "topic");
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^[0-9a-f]{40}\n$/);
    expect(repo.git("cat-file", "blob", `${r.stdout.trim()}:${FILE}`)).toBe(stateWith(oursChange, theirsChange));
  });

  it("a conflict: the tree line, the conflicted-file lines and Git's messages only", () => {
    const repo = diverged(stateWith(oursDeploy), stateWith(theirsDeploy));
    const r = repo.tryGit("merge-tree", "--write-tree", "main", "topic");
    expect(r.status).toBe(1);
    const [tree, ...rest] = r.stdout.split("\n");
    expect(tree).toMatch(/^[0-9a-f]{40}$/);
    const stages = rest.slice(0, rest.indexOf(""));
    expect(stages.map((l) => l.replace(/^\d+ [0-9a-f]{40} /, ""))).toEqual([`1\t${FILE}`, `2\t${FILE}`, `3\t${FILE}`]);
    expect(r.stdout).not.toMatch(/statefile-merge/);
    const blob = repo.git("cat-file", "blob", `${tree}:${FILE}`);
    expect(hunks(blob)).toHaveLength(1);
  });

  it("labels the sides with the names typed (on Git < 2.44 too, where %X and %Y arrive literally)", () => {
    const repo = diverged(stateWith(oursDeploy), stateWith(theirsDeploy));
    const r = repo.tryGit("merge-tree", "--write-tree", "main", "topic");
    const [hunk] = hunks(repo.git("cat-file", "blob", `${r.stdout.split("\n")[0]}:${FILE}`));
    expect(hunk.oursLabel).toBe("main");
    expect(hunk.theirsLabel).toBe("topic");
  });
});
