// `statefile-merge --version`: the package's version, both from the bin's own quick answer
// (which loads no command line) and from the full command line (commander).

import { spawnSync } from "node:child_process";
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { BIN, REPO_ROOT } from "./support/fixtures";
import { writeLargeState } from "./support/largeState";

const VERSION = (JSON.parse(readFileSync(join(REPO_ROOT, "package.json"), "utf8")) as { version: string }).version;

const node = (args: string[], cwd = REPO_ROOT) => spawnSync(process.execPath, args, { cwd, encoding: "utf8" });

describe("statefile-merge --version", () => {
  it("the bin prints package.json's version for --version and -V, and nothing else", () => {
    expect(VERSION).toMatch(/^\d+\.\d+\.\d+/);
    for (const flag of ["--version", "-V"]) {
      const r = node([BIN, flag]);
      expect(r.status).toBe(0);
      expect(r.stdout).toBe(`${VERSION}\n`);
      expect(r.stderr).toBe("");
    }
  });

  it("the bin answers without loading the command line: a copy beside a package.json and no dist/", () => {
    const dir = mkdtempSync(join(tmpdir(), "statefile-merge-version-"));
    mkdirSync(join(dir, "bin"));
    copyFileSync(BIN, join(dir, "bin", "statefile-merge.js"));
    writeFileSync(join(dir, "package.json"), JSON.stringify({ name: "statefile-merge", version: "9.8.7-test" }));
    const r = node([join(dir, "bin", "statefile-merge.js"), "--version"], dir);
    expect(r.stderr).toBe("");
    expect(r.stdout).toBe("9.8.7-test\n");
    expect(r.status).toBe(0);
  });

  it("the full command line prints it too, and lists the flag in --help", () => {
    const cli = join(REPO_ROOT, "dist", "cli.js");
    const main = (args: string[]) => node(["-e", `require(${JSON.stringify(cli)}).main(["node", "statefile-merge", ...${JSON.stringify(args)}])`]);
    const r = main(["--version"]);
    expect(r.status).toBe(0);
    expect(r.stdout).toBe(`${VERSION}\n`);
    expect(r.stderr).toBe("");
    expect(main(["--help"]).stdout).toMatch(/^\s+-V, --version\s+print the version of statefile-merge$/m);
  });
});

describe("a reader that stops early (head, a pager quit)", () => {
  it("ends every command quietly, as Git does: no internal error on a closed pipe", () => {
    const dir = mkdtempSync(join(tmpdir(), "statefile-merge-pipe-"));
    const file = join(dir, "big.nixops.json");
    writeLargeState(file, { count: 2000 });
    for (const command of [`textconv '${file}'`, `diff /dev/null '${file}'`]) {
      const r = spawnSync("sh", ["-c", `'${process.execPath}' '${BIN}' ${command} | head -c 10 >/dev/null`], { encoding: "utf8" });
      expect(r.stderr, command).toBe("");
    }
  });
});
