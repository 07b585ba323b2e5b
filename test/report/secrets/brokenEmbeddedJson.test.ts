// A `keys` blob cut short by a hand edit is not valid JSON, so it is no embedded value: it
// stayed a plain string, and every view printed it as is, secret included. A value where
// secrets live (a `keys` blob), or broken JSON naming a secret key, is hidden whole, by the
// driver (stderr, --report-json), `diff`, `textconv`, and Git's diff and log through it.

import { spawnSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { BIN, State } from "../../support/fixtures";
import { TempRepo } from "../../support/gitRepo";
import { isolatedEnv, scratchDir } from "../../support/hostile";

const HASH = /<secret sha256:[0-9a-f]{12}>/;
const FILE = "prod.nixops.json";

// Each secret written only into a text cut short: the whole-text JSON reading fails on it.
const KEY_SECRET = "BROKEN-KEY-4f7a9c21d0";
const KEY_SECRET_THEIRS = "BROKEN-KEY-theirs-77e1b3";
const PASSWORD = "BROKEN-PW-91be3a07";
const brokenKeys = (secret: string) => `{"app-env": {"text": "DB_URL=postgres://app:${secret}@db1/app", "user": "ro`;
const brokenUserData = `{"region": "eu-west-1", "dbPassword": "${PASSWORD}", "repl`;

const base = () => State.fixture("ec2-prod-5machines");
const ours = () => base().set("prod", "app1", "keys", brokenKeys(KEY_SECRET)).set("prod", "app2", "userData", brokenUserData);
const theirs = () => base().set("prod", "app1", "keys", brokenKeys(KEY_SECRET_THEIRS)).set("prod", "app2", "userData", '{"region": "eu-west-2"}');
const SECRETS = [KEY_SECRET, KEY_SECRET_THEIRS, PASSWORD];

function run(dir: string, ...args: string[]) {
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd: dir, env: isolatedEnv(dir), encoding: "utf8" });
  return { status: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

const leaked = (outputs: Record<string, string>) => Object.entries(outputs).flatMap(([what, out]) => SECRETS.filter((s) => out.includes(s)).map((s) => `${what}: ${s}`));

describe("broken JSON where secrets live is hidden whole", () => {
  it("the merge driver's conflict lines and --report-json", () => {
    const dir = scratchDir("statefile-merge-broken-keys-");
    writeFileSync(join(dir, "b"), base().text());
    writeFileSync(join(dir, "o"), ours().text());
    writeFileSync(join(dir, "t"), theirs().text());
    const r = run(dir, "merge", "b", "o", "t", "-p", FILE, "--report-json", "report.json");
    expect(r.status, r.stderr).toBe(1);
    const report = readFileSync(join(dir, "report.json"), "utf8");
    expect(leaked({ stderr: r.stderr, "--report-json": report, stdout: r.stdout })).toEqual([]);
    // Both conflicts are reported, their values as hashes.
    expect(r.stderr).toMatch(/CONFLICT .* resource app1, attribute keys: ours made it "<secret sha256:[0-9a-f]{12}>"; theirs made it "<secret sha256:[0-9a-f]{12}>"/);
    expect(r.stderr).toMatch(/resource app2, attribute userData: ours added "<secret sha256:[0-9a-f]{12}>"; theirs added "{\\"region\\": \\"eu-west-2\\"}"/);
    const conflicts = (JSON.parse(report) as { conflicts: Array<{ path: string[]; ours: unknown }> }).conflicts;
    expect(conflicts.map((c) => c.path.slice(1))).toEqual([
      ["resources", "app1", "keys"],
      ["resources", "app2", "userData"],
    ]);
    for (const c of conflicts) expect(c.ours).toMatch(HASH);
    // The secrets are in the merged file itself (the check can see them): only the views hide them.
    expect(readFileSync(join(dir, "o"), "utf8")).toContain(KEY_SECRET);
  });

  it("diff and textconv, and git log -p and git diff through the installed diff driver", () => {
    const repo = TempRepo.create();
    const install = spawnSync(process.execPath, [BIN, "install"], { cwd: repo.dir, env: repo.env, encoding: "utf8" });
    expect(install.status, install.stderr).toBe(0);
    repo.write(FILE, base().text()).commit("base");
    repo.write(FILE, ours().text()).commit("a hand edit cut the keys blob short");
    repo.write(FILE, theirs().text());
    const cli = (...args: string[]) => spawnSync(process.execPath, [BIN, ...args], { cwd: repo.dir, env: repo.env, encoding: "utf8" });
    writeFileSync(join(repo.dir, "old.json"), base().text());
    const outputs = {
      diff: cli("diff", "old.json", FILE).stdout,
      "diff --json": cli("diff", "--json", "old.json", FILE).stdout,
      textconv: cli("textconv", FILE).stdout,
      "git log -p": repo.git("log", "-p", "--", FILE),
      "git diff": repo.git("diff", "--", FILE),
    };
    expect(leaked(outputs)).toEqual([]);
    expect(outputs["git log -p"]).toMatch(HASH);
    expect(outputs.diff).toMatch(HASH);
    // What is not secret stays readable.
    expect(outputs["git diff"]).toContain("eu-west-2");
    // The check can see a leak: --show-secrets prints the value.
    expect(cli("textconv", "--show-secrets", FILE).stdout).toContain(KEY_SECRET_THEIRS);
  });
});

describe("broken JSON naming a secret key however the slip reads", () => {
  // Each a one-slip hand edit of a machine's `userData` (an attribute where no secret lives by name).
  const SLIPS = [
    ["a quote gone before the secret key", `{"domain": "dev.example.org, "dbPassword": "SLIP-QUOTE-5d21"}`, "SLIP-QUOTE-5d21"],
    ["an unquoted key", `{domain: "dev.example.org", password: "SLIP-UNQUOTED-8b04"}`, "SLIP-UNQUOTED-8b04"],
    ["a Python dict", `{'domain': 'dev.example.org', 'password': 'SLIP-PYDICT-1c9e'}`, "SLIP-PYDICT-1c9e"],
  ];

  it("is hidden whole by diff and textconv, and what names no secret stays readable", () => {
    const dir = scratchDir("statefile-merge-broken-slips-");
    const before = base().set("prod", "app2", "userData", '{"domain": "dev.example.org"}');
    writeFileSync(join(dir, "old.json"), before.text());
    for (const [slip, text, secret] of SLIPS) {
      writeFileSync(join(dir, "new.json"), base().set("prod", "app2", "userData", text).text());
      const diff = run(dir, "diff", "old.json", "new.json").stdout;
      const textconv = run(dir, "textconv", "new.json").stdout;
      expect(diff, slip).not.toContain(secret);
      expect(textconv, slip).not.toContain(secret);
      expect(diff, slip).toMatch(/userData: .*<secret sha256:[0-9a-f]{12}>/);
    }
    // Broken, but naming nothing secret: shown as it is.
    writeFileSync(join(dir, "new.json"), base().set("prod", "app2", "userData", `{"domain": "dev.example.org, "replicas": "3"}`).text());
    expect(run(dir, "diff", "old.json", "new.json").stdout).toContain("replicas");
  });
});
