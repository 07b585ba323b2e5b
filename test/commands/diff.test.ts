import { describe, expect, it } from "vitest";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { BIN, FIXTURE_DIR, State, fixtureText } from "../support/fixtures";
import { TempRepo } from "../support/gitRepo";
import { cli, secretsIn } from "../support/review";

const BEFORE = join(FIXTURE_DIR, "ec2-prod-5machines.export.json");
const AFTER = join(FIXTURE_DIR, "ec2-prod-after-teammate-deploy.export.json");

/** A repository whose state file went through the teammate deploy, with the diff driver set by hand. */
function deployRepo(): TempRepo {
  const repo = TempRepo.create();
  repo.git("config", "diff.statefile.command", `'${process.execPath}' '${BIN}' git-diff`);
  repo.write(".gitattributes", "*.nixops.json diff=statefile\n");
  repo.write("prod.nixops.json", fixtureText("ec2-prod-5machines")).commit("base");
  repo.write("prod.nixops.json", fixtureText("ec2-prod-after-teammate-deploy")).commit("teammate deploy");
  return repo;
}

describe("a key written twice, in the review commands", () => {
  it("diff, textconv, log and git diff name its place and never show its last copy as the file's value", () => {
    const repo = deployRepo();
    const after = fixtureText("ec2-prod-after-teammate-deploy");
    // app1's toplevel written a second time, with another value, right after the first.
    const twice = after.replace(/(\n( +)"toplevel": "[^"]*",)/, '$1\n$2"toplevel": "/nix/store/9999999999999999999999999999999-nixos-system-app1",');
    expect(twice).not.toBe(after);
    repo.write("prod.nixops.json", twice).commit("hand edit");
    const line = twice.split("\n").findIndex((l, i, all) => l.includes('"toplevel"') && all[i - 1].includes('"toplevel"')) + 1;
    const column = twice.split("\n")[line - 1].indexOf('"') + 1;
    const place = `key "toplevel" is written 2 times in the same object (readers keep only the last)`;
    const before = join(repo.dir, "..", "before.nixops.json");
    writeFileSync(before, after);
    const diff = cli(repo, "diff", before, "prod.nixops.json");
    expect(diff.stderr).toBe(`statefile-merge diff: prod.nixops.json:${line}:${column}: ${place}; fix it (statefile-merge check prod.nixops.json)\n`);
    expect(diff.status).toBe(2);
    expect(diff.stdout).toBe("");
    const textconv = cli(repo, "textconv", "prod.nixops.json");
    expect(textconv.stdout).toBe(`statefile-merge: a key written twice (line ${line}, column ${column}: ${place}); statefile-merge check on the file names every place to fix\n`);
    expect(cli(repo, "log", "-1").stdout).toContain(`a key written twice (new version, line ${line})`);
    const git = repo.tryGit("diff", "HEAD~1", "HEAD", "--", "prod.nixops.json");
    expect(git.stdout).toContain(`statefile-merge: the new version has a key written twice (line ${line}, column ${column}: ${place})`);
    expect(git.stdout).not.toContain("9999999999999999999999999999999");
  });
});

describe("a conflict left in a file, in the review commands", () => {
  it("diff, textconv and log name the marker line as a conflict, not as JSON that breaks off", () => {
    const repo = deployRepo();
    const after = fixtureText("ec2-prod-after-teammate-deploy");
    const lines = after.split("\n");
    const at = lines.findIndex((l) => l.includes('"toplevel"'));
    const marked = [...lines.slice(0, at), "<<<<<<< ours", lines[at], "=======", lines[at].replace(/"[^"]*",?$/, '"/nix/store/other",'), ">>>>>>> theirs", ...lines.slice(at + 1)].join("\n");
    repo.write("prod.nixops.json", marked).commit("committed with markers");
    const before = join(repo.dir, "..", "before.nixops.json");
    writeFileSync(before, after);
    const diff = cli(repo, "diff", before, "prod.nixops.json");
    expect(diff.stderr).toBe(`statefile-merge diff: prod.nixops.json:${at + 1}:1: a conflict marker line: a conflict was left in it; fix it (statefile-merge check prod.nixops.json)\n`);
    expect(diff.status).toBe(2);
    expect(cli(repo, "log", "-1").stdout).toContain(`a conflict left in it (new version, line ${at + 1})`);
  });
});

describe("a policy file that is not usable, in the review commands", () => {
  it("diff, log, textconv and git diff say so on stderr and read on without it, hiding every secret name it lists", () => {
    const repo = deployRepo();
    repo.write(".statefile-merge.json", '{\n  "files": {\n    "*.nixops.json": { "secretNames": ["instanceType"], "keyedArays": {} }\n  }\n}\n');
    const note = /^statefile-merge (diff|log|textconv|git-diff): note: the policy file is not usable: \.statefile-merge\.json:3: unknown key "keyedArays" .*; read without it, every secret name it lists hidden \(statefile-merge doctor lists every mistake\)$/m;
    const before = join(repo.dir, "..", "before.nixops.json");
    writeFileSync(before, fixtureText("ec2-prod-5machines"));
    for (const args of [["diff", before, "prod.nixops.json"], ["log"], ["textconv", "prod.nixops.json"]]) {
      const r = cli(repo, ...args);
      expect(r.stderr, args[0]).toMatch(note);
      expect(r.stdout, args[0]).toMatch(/app2/);
      expect(r.stdout, args[0]).not.toMatch(/"?ec2\.instanceType"?: "?[a-z]/);
    }
    const git = repo.tryGit("diff", "HEAD~1", "HEAD", "--", "prod.nixops.json");
    expect(git.stderr).toMatch(note);
    expect(git.stdout).toMatch(/app2/);
    // Usable again: no note.
    repo.write(".statefile-merge.json", '{\n  "files": {\n    "*.nixops.json": { "secretNames": ["instanceType"] }\n  }\n}\n');
    expect(cli(repo, "log").stderr).toBe("");
  });
});

describe("statefile-merge diff", () => {
  it("names the teammate deploy's changes, plain when not on a terminal", () => {
    const r = cli(null, "diff", BEFORE, AFTER);
    expect(r.status).toBe(1);
    expect(r.stdout).not.toContain("\x1b[");
    expect(r.stdout).toMatch(/^ {2}app2 \(ec2\): re-created \((creationTime, vmId|vmId, creationTime) changed\), deployed$/m);
    expect(r.stdout).toMatch(/^ {2}app3 \(ec2\): added$/m);
    expect(r.stdout).toMatch(/^ {2}lb1 \(ec2\): deployed$/m);
    expect(r.stdout).not.toMatch(/^ {4}~ keys/m);
    expect(secretsIn(r.stdout)).toEqual([]);
    expect(cli(null, "diff", "--color", BEFORE, AFTER).stdout).toContain("\x1b[");
  });

  it("--json for scripts; identical meaning exits 0", () => {
    const r = cli(null, "diff", "--json", BEFORE, AFTER);
    const doc = JSON.parse(r.stdout) as { deployments: Array<{ resources: Array<{ name: string; change: string; deployed: boolean }> }> };
    const byChange = (c: string) => doc.deployments[0].resources.filter((x) => x.change === c).map((x) => x.name);
    expect(byChange("re-created")).toEqual(["app2"]);
    expect(byChange("added")).toEqual(["app3"]);
    expect(secretsIn(r.stdout)).toEqual([]);

    const dir = mkdtempSync(join(tmpdir(), "statefile-diff-"));
    const reordered = State.fixture("ec2-prod-5machines");
    const keys = JSON.parse(reordered.get("prod", "db1", "keys")!) as Record<string, Record<string, unknown>>;
    const flipped = Object.fromEntries(Object.entries(keys).map(([k, v]) => [k, Object.fromEntries(Object.entries(v).reverse())]));
    reordered.set("prod", "db1", "keys", JSON.stringify(flipped).replace(/","/g, '", "').replace(/":/g, '": ').replace(/,"/g, ', "'));
    writeFileSync(join(dir, "reordered.json"), reordered.text());
    const same = cli(null, "diff", BEFORE, join(dir, "reordered.json"));
    expect(same.stdout).toMatch(/^no change/);
    expect(same.status).toBe(0);
  });

  it("a file that is not JSON: exit 2 with its line and column", () => {
    const dir = mkdtempSync(join(tmpdir(), "statefile-diff-"));
    writeFileSync(join(dir, "bad.json"), "{\n  \"a\": ,\n}\n");
    const r = cli(null, "diff", BEFORE, join(dir, "bad.json"));
    expect(r.status).toBe(2);
    expect(r.stderr).toContain(`${join(dir, "bad.json")}:2:8: not valid JSON`);
  });

  it("a directory or a missing file: exit 2, one line naming it and what to give", () => {
    const dir = mkdtempSync(join(tmpdir(), "statefile-diff-"));
    const asDir = cli(null, "diff", dir, BEFORE);
    expect(asDir.status).toBe(2);
    expect(asDir.stderr).toBe(`statefile-merge diff: cannot read ${dir} (a directory); give two state files, or /dev/null for none\n`);
    const missing = cli(null, "diff", BEFORE, join(dir, "gone.json"));
    expect(missing.status).toBe(2);
    expect(missing.stderr).toBe(`statefile-merge diff: cannot read ${join(dir, "gone.json")} (no such file); give two state files, or /dev/null for none\n`);
  });

  it("git diff uses the driver configured by hand", () => {
    const repo = deployRepo();
    const r = repo.tryGit("diff", "HEAD~1", "HEAD");
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^diff --statefile a\/prod\.nixops\.json b\/prod\.nixops\.json$/m);
    expect(r.stdout).toContain("summary: deployed app1, app2, db1, lb1, lb2; re-created app2; added app3");
    expect(r.stdout).not.toContain("\x1b[");
    expect(secretsIn(r.stdout)).toEqual([]);
    // Without the driver it is Git's line diff, which does print the secrets: the driver is what hides them.
    expect(secretsIn(repo.git("diff", "--no-ext-diff", "HEAD~1", "HEAD")).length).toBeGreaterThan(0);
  });

  it("git log -p and git show use it with --ext-diff; an added file diffs against nothing", () => {
    const repo = deployRepo();
    const log = repo.git("log", "-p", "--ext-diff");
    expect(log.match(/^diff --statefile /gm)).toHaveLength(2);
    expect(log).toContain("re-created app2");
    expect(log).toMatch(/^added deployment prod \(9b3f7c52-/m);
    expect(secretsIn(log)).toEqual([]);
    const show = repo.git("show", "--ext-diff", "HEAD");
    expect(show).toContain("added app3");
    expect(secretsIn(show)).toEqual([]);
    const color = repo.git("-c", "color.diff=always", "diff", "HEAD~1", "HEAD");
    expect(color).toContain("\x1b[");
  });

  it("a work-tree edit that only re-orders a keys blob shows as no change in git diff", () => {
    const repo = deployRepo();
    const state = State.fixture("ec2-prod-after-teammate-deploy");
    const keys = JSON.parse(state.get("prod", "app1", "keys")!) as Record<string, Record<string, unknown>>;
    const sorted = Object.fromEntries(Object.entries(keys).map(([k, v]) => [k, Object.fromEntries(Object.entries(v).sort())]));
    state.set("prod", "app1", "keys", JSON.stringify(sorted).replace(/,"/g, ', "').replace(/":/g, '": '));
    repo.write("prod.nixops.json", state.text());
    const r = repo.git("diff");
    expect(r).toMatch(/^no change \(only formatting, key order or embedded-JSON order differ\)$/m);
    expect(repo.git("diff", "--no-ext-diff")).toContain("keys");
  });
});
