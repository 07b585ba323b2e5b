// Paths and labels from Git (%P %S %X %Y) holding spaces, quotes, $(...), backticks and
// newlines reach git merge-file and the markers as plain arguments: no shell ever runs them.

import { spawnSync } from "node:child_process";
import { existsSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { describe, expect, it } from "vitest";
import { BIN, fixtureText } from "../../support/fixtures";
import { TempRepo } from "../../support/gitRepo";
import { pickFromMarkers } from "../../support/arbitraries";
import { parseJson } from "../../../src/formats/parseJson";
import { STACK_TRACE, isolatedEnv, nixopsTriple, scratchDir } from "../../support/hostile";

/** Each would create a file named PWNED* if any shell ever evaluated it. */
const NASTY = {
  path: "st ate 'q' \"dq\" $(touch PWNED1) `touch PWNED2`\nnext line.json",
  base: "base $(touch PWNED3)",
  ours: "HEAD 'it''s' \"q\" `touch PWNED4`",
  theirs: "topic\n$(touch PWNED5)\r\nend",
};

function pwned(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: "utf8" }).filter((n) => /(^|\/)PWNED\d$/.test(n));
}

function markerLines(text: string): string[] {
  return text.split("\n").filter((l) => /^(<{7}|\|{7}|={7}|>{7})/.test(l));
}

describe("labels and paths reach markers without a shell (direct bin calls)", () => {
  const triple = nixopsTriple();
  const conflicting = Buffer.from(triple.theirs.toString().replace('"ec2.region": "eu-west-1"', '"ec2.region": "us-east-1"'));
  const oursConflicting = Buffer.from(triple.ours.toString().replace('"ec2.region": "eu-west-1"', '"ec2.region": "ap-south-1"'));
  for (const [name, theirs] of [
    ["structured conflict", conflicting],
    ["git merge-file fallback", conflicting.subarray(0, conflicting.length - 40)],
  ] as const) {
    for (const style of ["merge", "diff3"]) {
      it(`${name}, ${style}: each label is one marker line, as given but with line breaks as spaces`, () => {
        const dir = scratchDir();
        writeFileSync(join(dir, "b"), triple.base);
        writeFileSync(join(dir, "o"), oursConflicting);
        writeFileSync(join(dir, "t"), theirs);
        const r = spawnSync(process.execPath, [BIN, "merge", "b", "o", "t", "-p", NASTY.path, "-l", "7", "-s", NASTY.base, "-x", NASTY.ours, "-y", NASTY.theirs, "--conflict-style", style], {
          cwd: dir,
          env: isolatedEnv(dir),
          encoding: "utf8",
        });
        expect(r.status, r.stderr).toBe(1);
        expect(r.stdout).toBe("");
        expect(r.stderr).not.toMatch(STACK_TRACE);
        const text = readFileSync(join(dir, "o"), "utf8");
        const marks = markerLines(text);
        expect(marks.length).toBeGreaterThanOrEqual(3);
        expect(marks).toContain("<<<<<<< " + NASTY.ours);
        expect(marks).toContain(">>>>>>> topic $(touch PWNED5)  end");
        if (style === "diff3") expect(marks).toContain("||||||| " + NASTY.base);
        if (name === "structured conflict") {
          for (const side of ["ours", "theirs"] as const) expect(() => parseJson(pickFromMarkers(text, side))).not.toThrow();
        } else {
          expect(r.stderr).toContain("statefile-merge: st ate 'q' \"dq\" $(touch PWNED1) `touch PWNED2`?next line.json: ");
        }
        // One line per message, whatever the path holds.
        for (const line of r.stderr.trim().split("\n")) expect(line).toMatch(/^statefile-merge: /);
        expect(pwned(dir)).toEqual([]);
      });
    }
  }
});

describe("under real git, with the driver configured by install", () => {
  it("a file and a branch named with quotes, $(...), backticks (and a newline in the file name)", () => {
    const repo = TempRepo.create();
    const install = spawnSync(process.execPath, [BIN, "install", "--pattern", "*.json"], { cwd: repo.dir, env: repo.env, encoding: "utf8" });
    expect(install.status, install.stderr).toBe(0);
    const file = "st ate 'q' \"dq\" $(touch PWNED1) `touch PWNED2`\nnl.json";
    const branch = "x'\"$(touch${IFS}PWNED3)`touch${IFS}PWNED4`";
    const base = fixtureText("ec2-prod-5machines");
    repo.write(file, base).commit("base");
    repo.git("checkout", "-q", "-b", branch);
    repo.write(file, base.replace('"ec2.region": "eu-west-1"', '"ec2.region": "us-east-1"').replace('"state": "3"', '"state": "4"')).commit("theirs");
    repo.git("checkout", "-q", "main");
    repo.write(file, base.replace('"ec2.region": "eu-west-1"', '"ec2.region": "ap-south-1"')).commit("ours");
    const r = repo.tryGit("merge", branch);
    expect(r.status, r.stderr).toBe(1);
    expect(r.stderr + r.stdout).not.toMatch(STACK_TRACE);
    expect(r.stderr).toMatch(/statefile-merge: CONFLICT \(modify\/modify/);
    const text = repo.read(file);
    expect(markerLines(text)).toEqual(["<<<<<<< HEAD", "=======", ">>>>>>> " + branch]);
    // theirs' other change merged cleanly, and each side of the hunk is JSON.
    expect(pickFromMarkers(text, "ours")).toContain('"state": "4"');
    for (const side of ["ours", "theirs"] as const) expect(() => parseJson(pickFromMarkers(text, side))).not.toThrow();
    expect(repo.git("ls-files", "-u", "-z").split("\0").filter(Boolean).map((l) => l.split("\t")[1])).toEqual([file, file, file]);
    expect(pwned(dirname(repo.dir))).toEqual([]);
    expect(existsSync(join(repo.dir, "PWNED1"))).toBe(false);
  });
});
