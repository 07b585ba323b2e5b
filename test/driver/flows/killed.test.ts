// A driver killed while it writes its result: Git must end up with the merge aborted (Git >=
// 2.42 distrusts a killed driver) or conflicted (older Git), and never with half a file in
// the work tree. The kill comes from a wrapper around the installed command: a Node preload
// that SIGKILLs the process in the middle of its first large write.

import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import {
  FILE,
  diverge,
  gitAtLeast,
  oursChange,
  stateWith,
  theirsChange,
  installedRepoCopies,
} from "../../support/flowRepo";

const freshRepo = installedRepoCopies();

const KILLER = `
const fs = require("fs");
const write = fs.writeSync;
fs.writeSync = function (fd, data, offset, length) {
  if (typeof data !== "string" && data.length > 1000) {
    write.call(fs, fd, data, offset, Math.floor(data.length / 2));
    process.kill(process.pid, "SIGKILL");
  }
  return write.apply(fs, arguments);
};
// The result as chunks goes through writev: write part of it, then die the same way.
const writev = fs.writevSync;
fs.writevSync = function (fd, buffers) {
  if (buffers.reduce((n, b) => n + b.length, 0) > 1000) {
    writev.call(fs, fd, buffers.slice(0, Math.max(1, buffers.length >> 1)));
    process.kill(process.pid, "SIGKILL");
  }
  return writev.apply(fs, arguments);
};
`;

describe("a driver killed mid-write", () => {
  it("leaves ours whole: the merge aborted or conflicted, never half a file", () => {
    const repo = freshRepo();
    const preload = join(repo.dir, "..", "kill-mid-write.js");
    writeFileSync(preload, KILLER);
    const installed = repo.git("config", "merge.statefile.driver").trim();
    repo.git("config", "merge.statefile.driver", `export NODE_OPTIONS='--require ${preload}'; ${installed}`);
    const ours = stateWith(oursChange);
    diverge(repo, ours, stateWith(theirsChange), { ours: "ours", theirs: "theirs" });

    const r = repo.tryGit("merge", "topic");
    expect(r.status).not.toBe(0);
    // Whatever Git decided, the work-tree file is ours, whole: not half of a merged result.
    expect(repo.read(FILE)).toBe(ours);
    if (gitAtLeast(repo, 2, 42)) {
      expect(r.stderr).toMatch(/failed to execute internal merge/);
      expect(repo.unmerged()).toEqual([]);
      expect(repo.tryGit("rev-parse", "-q", "--verify", "MERGE_HEAD").status).not.toBe(0);
    } else {
      expect(repo.unmerged()).toEqual([FILE]);
    }
    // Half-written temporary files may stay behind (SIGKILL cannot be cleaned up after); they are
    // untracked, dot-named, and never the state file itself.
    const stray = repo.git("status", "--porcelain", "--untracked-files=all").split("\n").filter((l) => l.startsWith("??"));
    for (const l of stray) expect(l).toMatch(/^\?\? \.\.merge_file_\w+\.statefile-merge-\d+-[0-9a-f]+\.tmp$/);
  });
});

describe("a driver whose node is gone (node upgraded and its old path collected, or the package moved)", () => {
  it("never leaves plain ours without markers: Git's line merge with markers (Git < 2.42), or the merge stopped", () => {
    const repo = freshRepo();
    const installed = repo.git("config", "merge.statefile.driver").trim();
    repo.git("config", "merge.statefile.driver", installed.split(`'${process.execPath}'`).join("'/nix/store/gone-nodejs/bin/node'"));
    const ours = stateWith(oursChange);
    diverge(repo, ours, stateWith(theirsChange), { ours: "ours", theirs: "theirs" });
    const r = repo.tryGit("merge", "topic");
    expect(r.status).not.toBe(0);
    expect(r.stdout + r.stderr).toContain("the node or the package that merge.statefile.driver names is gone (node upgraded, or the package moved); run statefile-merge install again");
    if (gitAtLeast(repo, 2, 42)) {
      expect(repo.read(FILE)).toBe(ours);
      expect(repo.unmerged()).toEqual([]);
    } else {
      expect(repo.unmerged()).toEqual([FILE]);
      expect(repo.read(FILE)).toMatch(/^<{7}/m);
      expect(repo.read(FILE)).not.toBe(ours);
    }
  });
});
