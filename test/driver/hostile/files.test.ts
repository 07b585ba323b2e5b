// A symlink or a directory where a file should be, missing files, unwritable outputs, modes
// and temporary files: the real bin, called directly (Git itself never passes such paths).

import { spawnSync } from "node:child_process";
import { chmodSync, lstatSync, mkdirSync, readFileSync, readdirSync, readlinkSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { BIN, State } from "../../support/fixtures";
import { parseJson } from "../../../src/formats/parseJson";
import type { JsonObject } from "../../../src/core/values";
import { STACK_TRACE, isolatedEnv, nixopsTriple, scratchDir } from "../../support/hostile";

const triple = nixopsTriple();

function setup(): string {
  const dir = scratchDir("statefile-merge-files-");
  writeFileSync(join(dir, "base.json"), triple.base);
  writeFileSync(join(dir, "ours.json"), triple.ours);
  writeFileSync(join(dir, "theirs.json"), triple.theirs);
  return dir;
}

function run(dir: string, ...args: string[]) {
  const r = spawnSync(process.execPath, [BIN, "merge", ...args], { cwd: dir, env: isolatedEnv(dir), encoding: "utf8", timeout: 60_000 });
  expect(r.stdout).toBe("");
  expect(r.stderr).not.toMatch(STACK_TRACE);
  return r;
}

/** Every file in the directory tree but the inputs we wrote and the scratch home. */
function strayFiles(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: "utf8" }).filter((n) => /statefile-merge-.*\.tmp$/.test(n));
}

describe("a directory where a file should be", () => {
  for (const [i, name] of ["base", "ours", "theirs"].entries()) {
    it(`${name} is a directory: a one-line usage error naming it, exit 2, nothing written`, () => {
      const dir = setup();
      mkdirSync(join(dir, "adir"));
      const files = ["base.json", "ours.json", "theirs.json"];
      files[i] = "adir";
      const r = run(dir, ...files);
      expect(r.status).toBe(2);
      expect(r.stderr.trim().split("\n")).toHaveLength(1);
      expect(r.stderr).toMatch(new RegExp(`the ${name} \\(%[OAB]\\) file "adir" is a directory`));
      expect(readdirSync(join(dir, "adir"))).toEqual([]);
      if (name !== "ours") expect(readFileSync(join(dir, "ours.json")).equals(triple.ours)).toBe(true);
    });
  }

  it("a missing input: exit 2, the message names it and says what to do", () => {
    const dir = setup();
    const r = run(dir, "base.json", "ours.json", "gone.json");
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/cannot read the theirs \(%B\) file "gone\.json" \(ENOENT\); pass three readable files/);
    expect(readFileSync(join(dir, "ours.json")).equals(triple.ours)).toBe(true);
  });

  for (const flag of ["-o", "--report-json"]) {
    it(`${flag} naming a directory: exit 2 before merging, ours untouched, nothing left behind`, () => {
      const dir = setup();
      mkdirSync(join(dir, "out"));
      const r = run(dir, "base.json", "ours.json", "theirs.json", flag, "out");
      expect(r.status).toBe(2);
      expect(r.stderr).toMatch(/"out" is a directory; give a file path/);
      expect(readdirSync(join(dir, "out"))).toEqual([]);
      expect(readFileSync(join(dir, "ours.json")).equals(triple.ours)).toBe(true);
      expect(strayFiles(dir)).toEqual([]);
    });
  }

  it("-o into a directory that does not exist: exit 2", () => {
    const dir = setup();
    const r = run(dir, "base.json", "ours.json", "theirs.json", "-o", "no/such/dir/out.json");
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/does not exist/);
  });
});

describe("a symlink where a file should be", () => {
  it("ours is a symlink: the link stays, the file it points to gets the result", () => {
    const dir = setup();
    mkdirSync(join(dir, "real"));
    writeFileSync(join(dir, "real", "state.json"), triple.ours);
    chmodSync(join(dir, "real", "state.json"), 0o600);
    symlinkSync("real/state.json", join(dir, "link.json"));
    const r = run(dir, "base.json", "link.json", "theirs.json");
    expect(r.status, r.stderr).toBe(0);
    expect(lstatSync(join(dir, "link.json")).isSymbolicLink()).toBe(true);
    expect(readlinkSync(join(dir, "link.json"))).toBe("real/state.json");
    const result = readFileSync(join(dir, "real", "state.json"), "utf8");
    expect(result).toContain("ours-change-5d1c");
    expect(result).toContain("theirs-change-a37e");
    expect(statSync(join(dir, "real", "state.json")).mode & 0o777).toBe(0o600);
    expect(strayFiles(dir)).toEqual([]);
  });

  it("base and theirs as symlinks are read through", () => {
    const dir = setup();
    symlinkSync("base.json", join(dir, "b.link"));
    symlinkSync("theirs.json", join(dir, "t.link"));
    const r = run(dir, "b.link", "ours.json", "t.link");
    expect(r.status, r.stderr).toBe(0);
    expect(readFileSync(join(dir, "ours.json"), "utf8")).toContain("theirs-change-a37e");
  });

  it("a dangling symlink as theirs: exit 2, ours untouched", () => {
    const dir = setup();
    symlinkSync("nowhere.json", join(dir, "t.link"));
    const r = run(dir, "base.json", "ours.json", "t.link");
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/theirs \(%B\) file "t\.link" \(ENOENT\)/);
    expect(readFileSync(join(dir, "ours.json")).equals(triple.ours)).toBe(true);
  });
});

describe("modes and temporary files", () => {
  for (const mode of [0o600, 0o640, 0o444]) {
    it(`-o onto an existing ${mode.toString(8)} file keeps its mode; ours keeps its own`, () => {
      const dir = setup();
      writeFileSync(join(dir, "out.json"), "old\n");
      chmodSync(join(dir, "out.json"), mode);
      chmodSync(join(dir, "ours.json"), mode);
      const r = run(dir, "base.json", "ours.json", "theirs.json", "-o", "out.json");
      expect(r.status, r.stderr).toBe(0);
      expect(statSync(join(dir, "out.json")).mode & 0o777).toBe(mode);
      expect(readFileSync(join(dir, "out.json"), "utf8")).toContain("theirs-change-a37e");
      expect(readFileSync(join(dir, "ours.json")).equals(triple.ours)).toBe(true);
      expect(statSync(join(dir, "ours.json")).mode & 0o777).toBe(mode);
    });
  }

  it("a new -o file and a new report are created private (0600)", () => {
    const dir = setup();
    const r = run(dir, "base.json", "ours.json", "theirs.json", "-o", "new.json", "--report-json", "report.json");
    expect(r.status, r.stderr).toBe(0);
    expect(statSync(join(dir, "new.json")).mode & 0o777).toBe(0o600);
    expect(statSync(join(dir, "report.json")).mode & 0o777).toBe(0o600);
  });

  it("the in-place result keeps a 0600 ours file 0600", () => {
    const dir = setup();
    chmodSync(join(dir, "ours.json"), 0o600);
    expect(run(dir, "base.json", "ours.json", "theirs.json").status).toBe(0);
    expect(statSync(join(dir, "ours.json")).mode & 0o777).toBe(0o600);
  });

  const exits: [string, (dir: string) => string[], number][] = [
    ["clean merge", () => [], 0],
    ["structured conflict", (dir) => (writeFileSync(join(dir, "theirs.json"), new State(parseJson(triple.theirs.toString()).value as JsonObject).set("prod", "db1", "state", "6").text()), []), 1],
    ["fallback to git merge-file", (dir) => (writeFileSync(join(dir, "theirs.json"), triple.theirs.subarray(0, 500)), []), 1],
    ["git merge-file refusing binary input", (dir) => (writeFileSync(join(dir, "theirs.json"), Buffer.concat([triple.theirs, Buffer.from([0, 1, 2])])), []), 1],
    ["an output that cannot be written", (dir) => (mkdirSync(join(dir, "out")), ["-o", "out"]), 2],
    ["a report in a missing directory", () => ["--report-json", "missing/report.json"], 2],
  ];
  for (const [name, prepare, status] of exits) {
    it(`no temporary file is left after a ${name} (exit ${status})`, () => {
      const dir = setup();
      const extra = prepare(dir);
      const r = run(dir, "base.json", "ours.json", "theirs.json", "--report-json", "r.json", ...extra);
      expect(r.status, r.stderr).toBe(status);
      expect(strayFiles(dir)).toEqual([]);
    });
  }
});
