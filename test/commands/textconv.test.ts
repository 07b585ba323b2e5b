import { describe, expect, it } from "vitest";
import { execFileSync, spawnSync } from "node:child_process";
import { BIN, FIXTURES, fixtureText, State } from "../support/fixtures";
import { TempRepo } from "../support/gitRepo";
import { secretsIn } from "../support/review";

/** A repository set up by `install`, whose state file went through the real teammate deploy. */
function deployRepo(): TempRepo {
  const repo = TempRepo.create();
  execFileSync(process.execPath, [BIN, "install"], { cwd: repo.dir, env: repo.env, stdio: "ignore" });
  repo.write("prod.nixops.json", fixtureText("ec2-prod-5machines")).commit("base");
  repo.write("prod.nixops.json", fixtureText("ec2-prod-after-teammate-deploy")).commit("teammate deploy");
  return repo;
}

/** The changed lines of a patch (without the ---/+++ headers). */
function changedLines(patch: string): string[] {
  return patch.split("\n").filter((l) => /^[-+](?![-+]{2} )/.test(l));
}

describe("textconv: git log -p and git show without --ext-diff", () => {
  it("shows attribute changes, nothing for re-ordered keys blobs, no secrets", () => {
    const repo = deployRepo();
    for (const patch of [repo.git("log", "-p", "-1"), repo.git("show", "HEAD")]) {
      const changed = changedLines(patch);
      // The deploy changed app1's toplevel: the converted text shows it.
      const after = State.fixture("ec2-prod-after-teammate-deploy");
      expect(changed).toContain(`+        "toplevel": ${JSON.stringify(after.get("prod", "app1", "toplevel"))},`);
      // Every existing keys blob was only re-ordered: opened up and sorted, no line of it
      // changes. The only key lines are the one key of the new machine app3.
      const keyLines = changed.filter((l) => /"(permissions|keyFile|keyCommand|destDir)"/.test(l));
      expect(keyLines.filter((l) => l.startsWith("-"))).toEqual([]);
      expect(keyLines).toHaveLength(4);
      expect(secretsIn(patch)).toEqual([]);
      expect(patch).toContain("<secret sha256:");
    }
  });

  it("prints every fixture without a secret, and the secrets with --show-secrets", () => {
    for (const name of FIXTURES) {
      const file = `fixtures/nixops/${name}`;
      const hidden = execFileSync(process.execPath, [BIN, "textconv", file], { encoding: "utf8", cwd: `${__dirname}/../..` });
      expect(secretsIn(hidden)).toEqual([]);
      const shown = execFileSync(process.execPath, [BIN, "textconv", "--show-secrets", file], { encoding: "utf8", cwd: `${__dirname}/../..` });
      expect(secretsIn(shown).length).toBeGreaterThan(0);
    }
  });

  it("says a file is not JSON without printing its lines", () => {
    const repo = TempRepo.create();
    repo.write("broken.json", '{"privateKey": "-----BEGIN OPENSSH PRIVATE KEY-----\\nabc"');
    const out = execFileSync(process.execPath, [BIN, "textconv", "broken.json"], { cwd: repo.dir, encoding: "utf8" });
    expect(out).toMatch(/^statefile-merge: not valid JSON \(line 1, column \d+: /);
    expect(out).not.toContain("BEGIN OPENSSH");
  });

  it("a file that cannot be read: one line naming it and what to do, exit 2, nothing on stdout", () => {
    const repo = TempRepo.create();
    for (const [file, reason] of [["missing.json", "no such file"], [".git", "a directory"]]) {
      const r = spawnSync(process.execPath, [BIN, "textconv", file], { cwd: repo.dir, encoding: "utf8" });
      expect(r.status).toBe(2);
      expect(r.stdout).toBe("");
      expect(r.stderr).toBe(`statefile-merge textconv: cannot read ${file} (${reason}); name a readable state file\n`);
    }
  });
});
