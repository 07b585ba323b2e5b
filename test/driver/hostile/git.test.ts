// Hostile inputs under a real `git merge`, with the driver configured by `install`: Git exits
// 0 or 1 (never "failed to execute internal merge"), the work-tree file keeps both sides'
// content, the reason of a fallback is on stderr, and nothing prints a stack trace.

import { spawnSync } from "node:child_process";
import { readFileSync, symlinkSync, unlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { BIN } from "../../support/fixtures";
import { TempRepo } from "../../support/gitRepo";
import { HOSTILE_CASES, STACK_TRACE, missingLines, nixopsTriple, withHostile, type Position, type Triple } from "../../support/hostile";

function mergeInGit(t: Triple) {
  const repo = TempRepo.create();
  const install = spawnSync(process.execPath, [BIN, "install", "--pattern", "*.json"], { cwd: repo.dir, env: repo.env, encoding: "utf8" });
  expect(install.status, install.stderr).toBe(0);
  const write = (b: Buffer) => writeBytes(repo, b);
  write(t.base);
  repo.commit("base");
  repo.git("checkout", "-q", "-b", "topic");
  write(t.theirs);
  repo.commit("theirs");
  repo.git("checkout", "-q", "main");
  write(t.ours);
  repo.commit("ours");
  const r = repo.tryGit("merge", "topic");
  return { repo, r, result: readFileSync(join(repo.dir, "state.json")) };
}

function writeBytes(repo: TempRepo, b: Buffer): void {
  writeFileSync(join(repo.dir, "state.json"), b);
}

const CASES: [string, Position][] = [
  ["truncated JSON", "theirs"],
  ["UTF-8 BOM", "ours"],
  ["CRLF line ends", "ours"],
  ["CRLF line ends", "theirs"],
  ["invalid UTF-8", "theirs"],
  ["NUL bytes", "theirs"],
  ["lone surrogate \\ud800", "theirs"],
  ["duplicate resource", "theirs"],
  ["duplicate attribute", "ours"],
  ["nesting 100,000 arrays deep", "theirs"],
  ["top level array", "theirs"],
  ["conflict markers of size 7", "base"],
  ["empty file", "theirs"],
];

describe("hostile inputs under real git merge", () => {
  const triple = nixopsTriple();
  for (const [name, position] of CASES) {
    it(`${name} as ${position}`, () => {
      const c = HOSTILE_CASES.find((h) => h.name === name)!;
      const t = withHostile(triple, c, position);
      const { r, result } = mergeInGit(t);
      const expected = c.expect[position];
      expect(r.stderr + r.stdout).not.toMatch(STACK_TRACE);
      expect(r.stderr).not.toMatch(/failed to execute internal merge/);
      expect(r.status, r.stderr).toBe(expected === "clean" ? 0 : 1);
      expect(missingLines(result, t.ours, t.base)).toEqual([]);
      expect(missingLines(result, t.theirs, t.base)).toEqual([]);
      if (expected === "fallback") expect(r.stderr).toMatch(/statefile-merge: state\.json: .*; merging it line by line with git merge-file instead/);
      if (name === "CRLF line ends" && position === "ours") expect(result.toString().replace(/\r\n/g, "")).not.toContain("\n");
    });
  }

  it("a symlink on one branch where the other changed the file: Git's own conflict, both versions kept", () => {
    const repo = TempRepo.create();
    expect(spawnSync(process.execPath, [BIN, "install", "--pattern", "*.json"], { cwd: repo.dir, env: repo.env }).status).toBe(0);
    writeBytes(repo, triple.base);
    repo.commit("base");
    repo.git("checkout", "-q", "-b", "topic");
    writeBytes(repo, triple.theirs);
    repo.commit("theirs");
    repo.git("checkout", "-q", "main");
    unlinkSync(join(repo.dir, "state.json"));
    symlinkSync("elsewhere.json", join(repo.dir, "state.json"));
    repo.commit("ours: a symlink");
    const r = repo.tryGit("merge", "topic");
    expect(r.status).toBe(1);
    expect(r.stderr + r.stdout).not.toMatch(STACK_TRACE);
    expect(r.stdout + r.stderr).toMatch(/CONFLICT \(distinct types\)/);
    // Theirs' file is kept under Git's conflict name (index stage 3 and work tree), ours' link too.
    expect(repo.git("show", ":3:state.json~topic")).toBe(triple.theirs.toString());
    expect(readFileSync(join(repo.dir, "state.json~topic")).equals(triple.theirs)).toBe(true);
    expect(repo.git("show", ":2:state.json")).toBe("elsewhere.json");
  });
});
