import { describe, expect, it } from "vitest";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync, chmodSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { BIN, FIXTURES, State, fixtureText } from "../support/fixtures";
import { TempRepo } from "../support/gitRepo";
import { cli } from "../support/review";
import { tfstateText } from "../support/tfstate";

const GOOD = fixtureText("ec2-prod-5machines");
const LINES = GOOD.split("\n");

function tempFile(name: string, text: string): string {
  const file = join(mkdtempSync(join(tmpdir(), "statefile-check-")), name);
  writeFileSync(file, text);
  return file;
}

/** The 1-based number of the first line containing `needle` (found here, not by the code under test). */
function lineOf(text: string, needle: string): number {
  const i = text.split("\n").findIndex((l) => l.includes(needle));
  if (i < 0) throw new Error(`no line with ${needle}`);
  return i + 1;
}

function check(file: string, ...flags: string[]) {
  return cli(null, "check", ...flags, file);
}

describe("statefile-merge check", () => {
  it("passes every fixture unchanged", () => {
    for (const name of FIXTURES) {
      const r = check(tempFile(`${name}.nixops.json`, fixtureText(name)));
      expect(r.stderr, name).toBe("");
      expect(r.status, name).toBe(0);
    }
  });

  it("invalid JSON: the line and column of the error", () => {
    const target = lineOf(GOOD, '"ec2.ami"');
    const broken = LINES.map((l, i) => (i === target - 1 ? l.replace(/,$/, "") : l)).join("\n");
    const file = tempFile("s.nixops.json", broken);
    const r = check(file);
    expect(r.status).toBe(1);
    // The missing comma is noticed where the next key starts.
    const next = LINES[target];
    expect(r.stderr).toBe(`${file}:${target + 1}:${next.indexOf('"') + 1}: invalid JSON: expected "," or "}"\n`);
  });

  it("a byte that is not UTF-8 (Latin-1 e-acute): its line and column, and fmt leaves the file as it is", () => {
    const target = lineOf(GOOD, '"ec2.ami"');
    const line = LINES[target - 1];
    const column = line.indexOf('": "') + 5;
    const bytes = Buffer.from(GOOD, "utf8");
    const at = bytes.indexOf(Buffer.from(line)) + column - 1;
    const latin1 = Buffer.concat([bytes.subarray(0, at), Buffer.from([0xe9]), bytes.subarray(at)]);
    const file = tempFile("s.nixops.json", "");
    writeFileSync(file, latin1);
    const r = check(file);
    expect(r.status).toBe(1);
    expect(r.stderr).toBe(`${file}:${target}:${column}: byte 0xe9 is not UTF-8 (a file saved as Latin-1?); save the file as UTF-8, nothing was rewritten\n`);
    const fmt = cli(null, "fmt", file);
    expect(fmt.status).toBe(1);
    expect(readFileSync(file).equals(latin1)).toBe(true);
  });

  it("leftover conflict markers: each block's first line", () => {
    const at = lineOf(GOOD, '"toplevel"');
    const lines = [...LINES];
    lines.splice(at - 1, 1, "<<<<<<< HEAD", LINES[at - 1], "=======", LINES[at - 1].replace("nixos-system", "other-system"), ">>>>>>> feature");
    const file = tempFile("s.nixops.json", lines.join("\n"));
    const r = check(file);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain(`${file}:${at}:1: leftover conflict marker (a conflict block, lines ${at}-${at + 4})`);
  });

  it("leftover markers of the file's conflict-marker-size, also below Git's 7", () => {
    const repo = TempRepo.create();
    repo.write(".gitattributes", "*.nixops.json conflict-marker-size=3\n");
    const at = lineOf(GOOD, '"toplevel"');
    const lines = [...LINES];
    lines.splice(at - 1, 1, "<<< HEAD", LINES[at - 1], "===", LINES[at - 1].replace("nixos-system", "other-system"), ">>> feature");
    repo.write("s.nixops.json", lines.join("\n"));
    const r = cli(repo, "check", "s.nixops.json");
    expect(r.status).toBe(1);
    expect(r.stderr).toContain(`s.nixops.json:${at}:1: leftover conflict marker (a conflict block, lines ${at}-${at + 4})`);
  });

  it("not a NixOps export where the name says it must be; other JSON is left alone", () => {
    const tenants = '{\n  "tenants": [1, 2]\n}\n';
    const r = check(tempFile("tenants.nixops.json", tenants));
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/:2:3: deployment tenants is array, not an object of attributes\n$/);
    expect(check(tempFile("tenants.json", tenants)).status).toBe(0);
    const arrayDoc = check(tempFile("x.nixops-exported", "[]\n"));
    expect(arrayDoc.stderr).toMatch(/:1:1: the document is an array; a NixOps export is an object of deployments/);
  });

  it("a file covered by merge=statefile must be a NixOps export", () => {
    const repo = TempRepo.create();
    repo.write(".gitattributes", "state/*.json merge=statefile\n");
    repo.write("state/prod.json", '{\n  "9b3f": {\n    "name": "prod"\n  }\n}\n');
    const r = cli(repo, "check", "state/prod.json");
    expect(r.status).toBe(1);
    expect(r.stderr).toBe(`state/prod.json:2:3: deployment prod has no "resources" object (nixops import fails with KeyError: 'resources')\n`);
  });

  it("a non-string leaf, at its key", () => {
    const state = State.fixture("ec2-prod-5machines");
    const text = state.text().replace(/"index": "7"/, '"index": 7');
    const file = tempFile("s.nixops.json", text);
    const r = check(file);
    expect(r.status).toBe(1);
    const line = lineOf(text, '"index": 7');
    expect(r.stderr).toBe(`${file}:${line}:9: deployment prod, resource app1, attribute index is number, not a string; write it as a string, as nixops export does ("3", "1", JSON text for lists)\n`);
  });

  it("a duplicate key, at its second occurrence", () => {
    const at = lineOf(GOOD, '"ec2.zone"');
    const lines = [...LINES];
    lines.splice(at, 0, LINES[at - 1]);
    const file = tempFile("s.nixops.json", lines.join("\n"));
    const r = check(file);
    expect(r.stderr).toBe(`${file}:${at + 1}:9: key "ec2.zone" is written 2 times in the same object (readers keep only the last); keep one\n`);
  });

  it("layouts nixops export would not print: each named at its first differing line, and fmt repairs them", () => {
    const swapAt = lineOf(GOOD, '"ec2.ami"');
    const swapped = [...LINES];
    [swapped[swapAt - 1], swapped[swapAt]] = [swapped[swapAt], swapped[swapAt - 1]];
    const cases: Array<[string, string, number, RegExp]> = [
      ["unsorted keys", swapped.join("\n"), swapAt, /key "ec2.associatePublicIpAddress" is out of order; nixops export sorts keys and writes "ec2.ami" here/],
      ["4-space indent", GOOD.replace(/^( +)/gm, "$1$1"), 2, /indented by 4 spaces; nixops export indents this line by 2/],
      ["no final newline", GOOD.slice(0, -1), LINES.length - 1, /no newline at the end of the file/],
      ["CRLF", GOOD.replace(/\n/g, "\r\n"), 1, /Windows line end \(CRLF\)/],
      ["one Python 2 comma among Python 3 ones", GOOD.replace(/,\n/, ", \n"), LINES.findIndex((l) => l.endsWith(",")) + 1, /item separator differs; this file's nixops export ends such lines with "," \(Python 3/],
      ["raw non-ASCII", GOOD.replace('"eu-west-1"', '"eu-wést-1"'), lineOf(GOOD, '"eu-west-1"'), /written raw; nixops export escapes it/],
    ];
    for (const [name, text, line, why] of cases) {
      const file = tempFile("s.nixops.json", text);
      const r = check(file);
      expect(r.status, name).toBe(1);
      expect(r.stderr, name).toMatch(new RegExp(`^${file.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}:${line}:\\d+: layout differs from nixops export|^.*:${line}:\\d+: (no newline|Windows)`));
      expect(r.stderr, name).toMatch(why);
      expect(r.stderr, name).toMatch(/statefile-merge fmt fixes this/);
      const fixed = cli(null, "fmt", file);
      expect(fixed.status, name).toBe(0);
      const expected = name === "raw non-ASCII" ? GOOD.replace('"eu-west-1"', '"eu-w\\u00e9st-1"') : GOOD;
      expect(readFileSync(file, "utf8"), name).toBe(expected);
    }
  });

  it("fmt keeps Python 2 separators for a NixOps 1.x file", () => {
    const legacy = fixtureText("legacy-nixops-1.7-python2");
    const file = tempFile("legacy.nixops.json", legacy.replace(/^( +)/gm, "$1$1"));
    const r = check(file, "--fix");
    expect(r.status).toBe(0);
    expect(r.stderr).toBe(`${file}: rewritten in nixops export layout\n`);
    expect(readFileSync(file, "utf8")).toBe(legacy);
  });

  it("--fix names the layout of the file's own kind: a Terraform state named like a NixOps one is Terraform's", () => {
    const tfstate = tfstateText("random-foreach-tf1.14.2.tfstate");
    const file = tempFile("prod.nixops.json", JSON.stringify(JSON.parse(tfstate), null, 4) + "\n");
    const r = check(file, "--fix");
    expect(r.status).toBe(0);
    expect(r.stderr).toBe(`${file}: rewritten in Terraform's layout\n`);
    expect(readFileSync(file, "utf8")).toBe(tfstate);
  });

  it("a file that is missing or a directory: one line in words and what to do, exit 2 (findings are exit 1)", () => {
    const dir = mkdtempSync(join(tmpdir(), "statefile-check-"));
    const bad = tempFile("bad.nixops.json", GOOD.replace('"name": "prod",', '"name": "prod"'));
    const r = cli(null, "check", join(dir, "gone.nixops.json"), dir, bad);
    expect(r.status).toBe(2);
    const lines = r.stderr.split("\n");
    expect(lines[0]).toBe(`${join(dir, "gone.nixops.json")}: cannot read it (no such file); name a readable file`);
    expect(lines[1]).toBe(`${dir}: cannot read it (a directory); name a readable file`);
    expect(lines[2]).toMatch(/bad\.nixops\.json:\d+:\d+: invalid JSON/);
    expect(cli(null, "check", bad).status).toBe(1);
  });

  it("fmt in a directory nothing can be written to: one line, nothing changed, no internal error", (ctx) => {
    const file = tempFile("s.nixops.json", GOOD.replace(/^( +)/gm, "$1$1"));
    const dir = join(file, "..");
    // Immutable: nothing can be created or renamed in it, even by root (chattr needs root and ext4).
    if (spawnSync("chattr", ["+i", dir]).status !== 0) ctx.skip();
    try {
      const r = cli(null, "fmt", file);
      expect(r.stderr).toBe(`${file}: cannot rewrite it (not permitted, writing a file beside it first); nothing was changed\n`);
      expect(r.status).toBe(1);
    } finally {
      spawnSync("chattr", ["-i", dir]);
    }
    expect(readFileSync(file, "utf8")).toBe(GOOD.replace(/^( +)/gm, "$1$1"));
  });

  it("fmt leaves a file it cannot read untouched", () => {
    const file = tempFile("s.nixops.json", GOOD.replace('"name": "prod",', '"name": "prod"'));
    const before = readFileSync(file, "utf8");
    expect(cli(null, "fmt", file).status).toBe(1);
    expect(readFileSync(file, "utf8")).toBe(before);
  });

  it("a policy file that is not usable fails the check with its first mistake, and fmt rewrites nothing", () => {
    const repo = TempRepo.create();
    const tenants = '{\n  "tenants": [\n    {"id": "a"},\n    {"id": "a"}\n  ]\n}\n';
    repo.write("tenants.json", tenants);
    repo.write(".statefile-merge.json", '{\n  "files": {\n    "tenants.json": { "keyedArrays": { "/tenants": "id" } }\n  }\n}\n');
    // Usable: the keyed array's repeated identity is found.
    expect(cli(repo, "check", "tenants.json").stderr).toMatch(/tenants\.json:\d+:\d+: .*"a"/);
    for (const broken of ['"keyedArays"', '"keyedArrays": { "/tenants": "id" }, }']) {
      repo.write(".statefile-merge.json", '{\n  "files": {\n    "tenants.json": { ' + (broken.startsWith('"keyedArays"') ? broken + ': { "/tenants": "id" } }' : broken) + "\n  }\n}\n");
      for (const command of ["check", "fmt"]) {
        const r = cli(repo, command, "tenants.json");
        expect(r.status, `${command} with ${broken}`).toBe(1);
        expect(r.stderr).toMatch(/^tenants\.json: not checked: the policy file is not usable: \.statefile-merge\.json:3: .*; fix it \(statefile-merge doctor lists every mistake\), nothing was rewritten\n$/);
        expect(repo.read("tenants.json")).toBe(tenants);
      }
    }
  });

  it("works as a pre-commit hook on staged state files (the README's hook)", () => {
    const repo = TempRepo.create();
    const hook = join(repo.dir, ".git", "hooks", "pre-commit");
    writeFileSync(
      hook,
      `#!/bin/sh\ngit diff --cached --name-only --diff-filter=ACMR -z -- '*.nixops.json' | xargs -0 -r node '${BIN}' check\n`,
    );
    chmodSync(hook, 0o755);
    repo.write("prod.nixops.json", GOOD);
    repo.commit("good state");
    repo.write("prod.nixops.json", GOOD.replace(/^( +)/gm, "$1$1"));
    repo.git("add", "prod.nixops.json");
    const refused = repo.tryGit("commit", "-q", "-m", "badly formatted");
    expect(refused.status).not.toBe(0);
    expect(refused.stderr).toMatch(/prod\.nixops\.json:2:\d+: layout differs from nixops export/);
  });
});
