// The after-the-fact views (diff, git-diff, log, textconv) hide what the merge driver hides:
// secrets inside plain strings that hold JSON, and the names a repository's policy file
// declares secret. Each case runs the built CLI through the real git in a temporary repository.

import { spawnSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { tmpdir } from "node:os";
import { describe, expect, it } from "vitest";
import { BIN, State } from "../../support/fixtures";
import { TempRepo } from "../../support/gitRepo";
import { cli } from "../../support/review";

const HASH = /<secret sha256:[0-9a-f]{12}>/;

function installedRepo(...patterns: string[]): TempRepo {
  const repo = TempRepo.create();
  const args = patterns.flatMap((p) => ["--pattern", p]);
  const r = spawnSync(process.execPath, [BIN, "install", ...args], { cwd: repo.dir, env: repo.env, encoding: "utf8" });
  expect(r.status, r.stderr).toBe(0);
  return repo;
}

/** Every place the value shows up in the output, each with the output's name. */
function shown(outputs: Record<string, string>, values: string[]): string[] {
  return Object.entries(outputs).flatMap(([what, out]) => values.filter((v) => out.includes(v)).map((v) => `${what}: ${v}`));
}

describe("textconv (git log -p, git show) hides secrets inside strings that hold JSON", () => {
  it("a generic JSON file's string holding a password", () => {
    const repo = installedRepo("*.json");
    const doc = (pw: string) => JSON.stringify({ name: "billing", config: JSON.stringify({ password: pw, port: 5432 }) }, null, 2) + "\n";
    repo.write("app.json", doc("hunter2-old-9f3a")).commit("app config");
    repo.write("app.json", doc("hunter2-new-7c1e")).commit("rotate password");
    const outputs = {
      "git log -p": repo.git("log", "-p", "--", "app.json"),
      "git show": repo.git("show", "HEAD"),
    };
    expect(shown(outputs, ["hunter2-old-9f3a", "hunter2-new-7c1e"])).toEqual([]);
    for (const out of Object.values(outputs)) {
      expect(out).toMatch(HASH);
      // The rest of the string is still readable: only the password is hashed.
      expect(out).toContain("5432");
    }
    // The check can see a leak: --show-secrets prints the value.
    const plain = cli(repo, "textconv", "--show-secrets", "app.json");
    expect(plain.stdout).toContain("hunter2-new-7c1e");
  });

  it("a NixOps attribute whose embedded JSON holds a string of JSON with a password", () => {
    const repo = installedRepo();
    const userData = (pw: string) => JSON.stringify({ cloudInit: JSON.stringify({ dbPassword: pw, region: "eu-west-1" }) });
    const base = State.fixture("ec2-prod-5machines").set("prod", "app1", "userData", userData("nested-old-55aa"));
    repo.write("prod.nixops.json", base.text()).commit("base");
    repo.write("prod.nixops.json", base.clone().set("prod", "app1", "userData", userData("nested-new-66bb")).text()).commit("rotate");
    const patch = repo.git("log", "-p", "--", "prod.nixops.json");
    expect(shown({ "git log -p": patch }, ["nested-old-55aa", "nested-new-66bb"])).toEqual([]);
    expect(patch).toContain("eu-west-1");
    expect(cli(repo, "textconv", "--show-secrets", "prod.nixops.json").stdout).toContain("nested-new-66bb");
  });
});

describe("a policy file's secretNames are hidden by diff, git-diff and textconv", () => {
  const LICENSE = ["LIC-OLD-0a1b2c3d", "LIC-NEW-4e5f6a7b"];
  const TENANT = ["TEN-OLD-8c9d0e1f", "TEN-NEW-2a3b4c5d"];

  function policyRepo(): TempRepo {
    const repo = installedRepo("*.nixops.json", "tenants.json");
    const policy = { files: { "*.nixops.json": { secretNames: ["licenseCode"] }, "tenants.json": { secretNames: ["tenantCode"] } } };
    repo.write(".statefile-merge.json", JSON.stringify(policy, null, 2) + "\n");
    const state = State.fixture("ec2-prod-5machines").set("prod", "app1", "licenseCode", LICENSE[0]);
    const tenants = (code: string) => JSON.stringify({ tenants: [{ id: "acme", tenantCode: code }] }, null, 2) + "\n";
    repo.write("prod.nixops.json", state.text()).write("tenants.json", tenants(TENANT[0])).commit("base");
    repo.write("prod.nixops.json", state.clone().set("prod", "app1", "licenseCode", LICENSE[1]).text());
    repo.write("tenants.json", tenants(TENANT[1])).commit("rotate codes");
    return repo;
  }

  it("git diff (diff command), git log -p --ext-diff and git log -p (textconv)", () => {
    const repo = policyRepo();
    const outputs = {
      "git diff": repo.git("diff", "HEAD~1", "HEAD"),
      "git diff --json": repo.git("-c", `diff.statefile.command=${process.execPath} '${BIN}' git-diff --json`, "diff", "HEAD~1", "HEAD"),
      "git log -p --ext-diff": repo.git("log", "-p", "--ext-diff", "-1"),
      "git log -p": repo.git("log", "-p", "-1"),
      "git show": repo.git("show", "HEAD"),
    };
    expect(shown(outputs, [...LICENSE, ...TENANT])).toEqual([]);
    // The changes are still shown, as hashes.
    for (const [what, out] of Object.entries(outputs)) {
      expect(out, what).toMatch(/licenseCode/);
      expect(out, what).toMatch(/tenantCode/);
      expect(out, what).toMatch(HASH);
    }
    // Without the policy file the same views print the values: the names come from it.
    repo.write(".statefile-merge.json", '{ "files": {} }\n');
    expect(shown({ "git diff": repo.git("diff", "HEAD~1", "HEAD") }, LICENSE).length).toBeGreaterThan(0);
    expect(shown({ "git log -p": repo.git("log", "-p", "-1") }, TENANT).length).toBeGreaterThan(0);
  });

  it("statefile-merge diff OLD NEW reads the policy entry of NEW inside the work tree", () => {
    const repo = policyRepo();
    const old = join(repo.dir, "..", "old.nixops.json");
    writeFileSync(old, repo.git("show", "HEAD~1:prod.nixops.json"));
    const oldTenants = join(repo.dir, "..", "old-tenants.json");
    writeFileSync(oldTenants, repo.git("show", "HEAD~1:tenants.json"));
    const outputs = {
      diff: cli(repo, "diff", old, "prod.nixops.json").stdout,
      "diff --json": cli(repo, "diff", "--json", old, "prod.nixops.json").stdout,
      "diff tenants": cli(repo, "diff", oldTenants, "tenants.json").stdout,
      "diff NEW OLD (old in the repo)": cli(repo, "diff", "prod.nixops.json", "/dev/null").stdout,
    };
    expect(shown(outputs, [...LICENSE, ...TENANT])).toEqual([]);
    expect(outputs.diff).toMatch(/licenseCode/);
    expect(outputs["diff tenants"]).toMatch(/tenantCode/);
    // Both files outside the work tree, from inside it (`diff <(git show A:f) <(git show B:f)`):
    // every name the policy lists is hidden, as textconv does with Git's temporary copies.
    const outside = join(repo.dir, "..", "new.nixops.json");
    writeFileSync(outside, repo.git("show", "HEAD:prod.nixops.json"));
    const fromInside = cli(repo, "diff", old, outside).stdout;
    expect(shown({ "diff of two copies": fromInside }, LICENSE)).toEqual([]);
    expect(fromInside).toMatch(/licenseCode: .*<secret sha256/);
    // Run outside any repository, no policy applies: the check can see a leak.
    const away = spawnSync(process.execPath, [BIN, "diff", old, outside], { cwd: tmpdir(), env: repo.env, encoding: "utf8" }).stdout;
    expect(away).toContain(LICENSE[1]);
  });

  it("a renamed file is read with the secret names of both its paths (git show -M --ext-diff)", () => {
    const repo = policyRepo();
    repo.git("mv", "tenants.json", "customers.json");
    const tenants = JSON.stringify({ tenants: [{ id: "acme", tenantCode: "TEN-RENAMED-6e7f8a9b" }] }, null, 2) + "\n";
    repo.write("customers.json", tenants).commit("rename, and rotate the code");
    const outputs = {
      "git show -M --ext-diff": repo.git("show", "-M", "--ext-diff", "HEAD"),
      "git diff -M": repo.git("diff", "-M", "HEAD~1", "HEAD"),
    };
    expect(shown(outputs, [...TENANT, "TEN-RENAMED-6e7f8a9b"])).toEqual([]);
    expect(outputs["git show -M --ext-diff"]).toMatch(/rename from tenants\.json/);
    expect(outputs["git show -M --ext-diff"]).toMatch(/tenantCode/);
  });
});

describe("a policy file's settings reach statefile-merge log", () => {
  it("a path the policy makes volatile is not news", () => {
    const repo = installedRepo();
    const base = State.fixture("ec2-prod-5machines");
    repo.write("prod.nixops.json", base.text()).commit("base");
    repo.write("prod.nixops.json", base.clone().set("prod", "lb1", "publicIpv4", "203.0.113.77").text()).commit("new address");
    const summary = () => (JSON.parse(cli(repo, "log", "--json", "-n", "1").stdout) as Array<{ changes: Array<{ summary: string }> }>)[0].changes[0].summary;
    expect(summary()).toBe("changed lb1");
    repo.write(".statefile-merge.json", JSON.stringify({ files: { "*.nixops.json": { volatile: { add: ["/*/resources/*/publicIpv4"] } } } }) + "\n");
    expect(summary()).toBe("no deploy changes (only values every deploy rewrites)");
  });
});
