// `statefile-merge doctor` against real repositories, each broken one way.

import { appendFileSync, existsSync, rmSync, symlinkSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TempRepo } from "../support/gitRepo";
import { REPO_ROOT, fixtureText } from "../support/fixtures";
import { tfstateText } from "../support/tfstate";
import { registry, text } from "../support/tenants";
import { FILE, buildFixtureRepo, copyRepo, gitAtLeast, oursDeploy, removeCopies, runBin, stateWith, theirsDeploy, branchWith, commitOnMain } from "../support/flowRepo";
import { doctorContext, runDoctor, type DoctorContext, type DoctorCheck } from "../../src/doctor/doctor";
import { checkGitVersion } from "../../src/doctor/doctorChecks";
import { EXTRA_DOCTOR_CHECKS } from "../../src/doctor/doctorExtraChecks";
import { checkCiGuard } from "../../src/doctor/doctorCiGuard";

let fixture: TempRepo;
beforeAll(() => {
  fixture = buildFixtureRepo();
});
afterAll(() => removeCopies(fixture));

const errors = (out: string) => out.split("\n").filter((l) => l.startsWith("error: "));

function doctor(repo: TempRepo, ...args: string[]) {
  return runBin(repo, ["doctor", ...args], join(repo.dir, "sub"));
}

function fresh(): TempRepo {
  const repo = copyRepo(fixture);
  repo.write("sub/notes.txt", "a subdirectory to run doctor from\n").commit("notes");
  return repo;
}

describe("doctor", () => {
  it("a clone set up by install: no errors, from a subdirectory", () => {
    const repo = fresh();
    const r = doctor(repo);
    expect(errors(r.stdout)).toEqual([]);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/ok: \[driver-runs\] merge.statefile.driver runs/);
    expect(r.stdout).toMatch(/ok: \[driver-runs\] merge.statefile-virtual.driver runs/);
  });

  it("Git older than 2.44 is a warning; it fails only with --strict", () => {
    const repo = fresh();
    const plain = doctor(repo);
    const strict = doctor(repo, "--strict");
    if (gitAtLeast(repo, 2, 44)) {
      expect(plain.stdout).not.toMatch(/warning: \[git-version\]/);
      expect(strict.status).toBe(0);
    } else {
      expect(plain.stdout).toMatch(/warning: \[git-version\] git 2\.\d+\.\d+ is older than 2\.44: conflict labels reach the driver as a literal %S/);
      expect(plain.status).toBe(0);
      expect(strict.status).toBe(1);
    }
  });

  it("the version check itself, for Git on either side of 2.44", () => {
    const ctx = (v: [number, number, number]) => ({ gitVersion: v }) as DoctorContext;
    expect(checkGitVersion(ctx([2, 39, 5]))[0].severity).toBe("warning");
    expect(checkGitVersion(ctx([2, 43, 9]))[0].severity).toBe("warning");
    expect(checkGitVersion(ctx([2, 44, 0]))[0].severity).toBe("ok");
    expect(checkGitVersion(ctx([3, 0, 0]))[0].severity).toBe("ok");
  });

  it("an attribute naming statefile with no driver configured (Git would silently line-merge)", () => {
    const repo = fresh();
    for (const key of ["merge.statefile", "merge.statefile-virtual", "diff.statefile"]) repo.git("config", "--remove-section", key);
    const r = doctor(repo);
    expect(r.status).toBe(1);
    expect(errors(r.stdout)).toEqual([
      "error: [routing] prod.nixops.json is marked merge=statefile (git check-attr) but merge.statefile.driver is not configured: Git merges it line by line without a word; run `statefile-merge install`",
      "error: [routing] prod.nixops.json is marked diff=statefile (git check-attr) but diff.statefile.command is not configured: git diff and git log -p show plain line diffs; run `statefile-merge install`",
    ]);
  });

  it("after `uninstall` in a clone the committed lines still route the state file: doctor fails and says to install", () => {
    const repo = fresh();
    expect(runBin(repo, ["uninstall"]).status).toBe(0);
    const r = doctor(repo);
    expect(r.status).toBe(1);
    expect(errors(r.stdout).join("\n")).toMatch(/^error: \[routing\] prod\.nixops\.json is marked merge=statefile .*; run `statefile-merge install`$/m);
  });

  it("routing from every source Git reads: the index when .gitattributes is deleted in the work tree, a macro, the global attributes file", () => {
    const repo = fresh();
    repo.git("config", "--remove-section", "merge.statefile");
    rmSync(join(repo.dir, ".gitattributes"));
    expect(errors(doctor(repo).stdout).join("\n")).toMatch(/\[routing\] prod\.nixops\.json is marked merge=statefile .* merge\.statefile\.driver is not configured/);
    const macro = fresh();
    macro.git("config", "--remove-section", "merge.statefile");
    macro.write(".git/info/attributes", "[attr]deploy-state merge=statefile\n");
    macro.write(".gitattributes", "*.nixops.json deploy-state\n").commit("a macro names the driver", ".gitattributes");
    expect(errors(doctor(macro).stdout).join("\n")).toMatch(/\[routing\] prod\.nixops\.json is marked merge=statefile .* merge\.statefile\.driver is not configured/);
    // The user's global attributes file counts too.
    const global = fresh();
    global.git("config", "--remove-section", "merge.statefile");
    global.git("rm", "-q", ".gitattributes");
    global.git("commit", "-qm", "no team attributes");
    const file = join(global.dir, "..", "home", "attributes");
    global.write("../home/attributes", "*.nixops.json merge=statefile\n");
    global.git("config", "--global", "core.attributesFile", file);
    expect(errors(doctor(global).stdout).join("\n")).toMatch(/\[routing\] prod\.nixops\.json is marked merge=statefile .* merge\.statefile\.driver is not configured/);
  });

  it("lines naming the unconfigured driver that no tracked file matches yet: a warning, with the line", () => {
    const repo = fresh();
    repo.git("config", "--remove-section", "merge.statefile");
    repo.git("rm", "-q", FILE);
    repo.git("commit", "-qm", "no state file yet");
    const r = doctor(repo);
    expect(errors(r.stdout)).toEqual([]);
    expect(r.stdout).toMatch(/^warning: \[attributes\] \.gitattributes:2 marks \*\.nixops\.json merge=statefile, but merge\.statefile\.driver is not configured in this clone: .*\(no tracked file matches it yet\)/m);
  });

  it("a state file that Git does not route although the driver is configured: by name, or listed in the policy file", () => {
    const repo = fresh();
    repo.write(".gitattributes", repo.read(".gitattributes") + "staging.nixops.json -merge\n");
    repo.write("staging.nixops.json", "{}\n");
    repo.write("tenants.json", text(registry("acme")));
    repo.write(".statefile-merge.json", JSON.stringify({ files: { "tenants.json": { keyedArrays: { "/tenants": "id" } } } }));
    repo.commit("a state file unrouted, a policy file entry unrouted");
    const r = doctor(repo);
    expect(r.status).toBe(1);
    expect(errors(r.stdout)).toEqual([
      "error: [coverage] staging.nixops.json is named like a state file (*.nixops.json) but its merge attribute is unset, not statefile: Git will merge it line by line; an attribute line sets it (`git check-attr -a -- staging.nixops.json`): change that line in .gitattributes or .git/info/attributes",
      "error: [coverage] tenants.json is listed in .statefile-merge.json (tenants.json) but its merge attribute is unspecified, not statefile: Git will merge it line by line; run `statefile-merge install --attributes --pattern 'tenants.json'`",
    ]);
    // The fix it names works.
    expect(runBin(repo, ["install", "--attributes", "--pattern", "tenants.json"]).status).toBe(0);
    expect(errors(doctor(repo).stdout).join("\n")).not.toMatch(/tenants\.json/);
  });

  it("lines added by `install --attributes` but not committed yet: a warning to commit them", () => {
    const repo = fresh();
    repo.write("tenants.json", text(registry("acme"))).commit("tenants");
    expect(runBin(repo, ["install", "--attributes", "--pattern", "tenants.json"]).status).toBe(0);
    const r = doctor(repo);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^warning: \[coverage\] tenants\.json is marked merge=statefile only by the work tree's \.gitattributes, not by the committed one: commit \.gitattributes/m);
    repo.commit("share the line", ".gitattributes");
    expect(doctor(repo).stdout).not.toMatch(/warning: \[coverage\]/);
  });

  it("name without driver (Git would die)", () => {
    const repo = fresh();
    repo.git("config", "--unset", "merge.statefile.driver");
    const r = doctor(repo);
    expect(r.status).toBe(1);
    expect(errors(r.stdout).join("\n")).toMatch(/merge\.statefile\.name is set but merge\.statefile\.driver is not/);
  });

  it("a driver command that does not run", () => {
    const repo = fresh();
    const installed = repo.git("config", "merge.statefile.driver").trim();
    repo.git("config", "merge.statefile.driver", installed.split(`'${process.execPath}'`).join("'/nonexistent/node'"));
    const r = doctor(repo);
    expect(r.status).toBe(1);
    expect(errors(r.stdout).join("\n")).toMatch(/merge\.statefile\.driver does not work: it exited with status 255 on a clean test merge: statefile-merge: the node or the package that merge\.statefile\.driver names is gone/);
  });

  it("a driver command with a path relative to the repository works as Git runs it (at the top), so doctor says it runs", () => {
    const repo = fresh();
    symlinkSync(REPO_ROOT, join(repo.dir, "tools"));
    repo.git("config", "merge.statefile.driver", `'${process.execPath}' tools/bin/statefile-merge.js merge %O %A %B -p %P -l %L -s %S -x %X -y %Y`);
    const r = doctor(repo);
    expect(r.stdout).toMatch(/^ok: \[driver-runs\] merge\.statefile\.driver runs and merges a test file$/m);
    // The control: a path that exists nowhere still fails.
    repo.git("config", "merge.statefile.driver", `'${process.execPath}' nowhere/bin/statefile-merge.js merge %O %A %B -p %P -l %L -s %S -x %X -y %Y`);
    expect(errors(doctor(repo).stdout).join("\n")).toMatch(/merge\.statefile\.driver does not work/);
  });

  it("a diff command with a path relative to the repository runs as Git runs it (at the top), so doctor says it runs", () => {
    const repo = fresh();
    symlinkSync(REPO_ROOT, join(repo.dir, "tools"));
    repo.git("config", "diff.statefile.command", `'${process.execPath}' tools/bin/statefile-merge.js git-diff`);
    expect(doctor(repo).stdout).toMatch(/^ok: \[driver-runs\] diff\.statefile\.command runs$/m);
    // As Git runs it: a real git diff of a state file through that command.
    repo.write("prod.nixops.json", fixtureText("vbox-none-2machines")).commit("state");
    repo.write("prod.nixops.json", fixtureText("vbox-none-2machines").replace('"dev"', '"dev2"'));
    expect(repo.tryGit("diff", "--ext-diff", "--", "prod.nixops.json").status).toBe(0);
    // The control: a path that exists nowhere still fails.
    repo.git("config", "diff.statefile.command", `'${process.execPath}' nowhere/bin/statefile-merge.js git-diff`);
    expect(errors(doctor(repo).stdout).join("\n")).toMatch(/diff\.statefile\.command does not work/);
  });

  it("warns about a driver line an older install wrote, without the check for node and the package", () => {
    const repo = fresh();
    expect(doctor(repo).stdout).not.toMatch(/written by an older install/);
    const installed = repo.git("config", "merge.statefile.driver").trim();
    // The line as installs before the guard wrote it: without the guard or the plain Node start.
    const unguarded = installed.slice(installed.indexOf("exit 255; }; ") + "exit 255; }; ".length).replace("NODE_EXTRA_CA_CERTS= ", "");
    repo.git("config", "merge.statefile.driver", unguarded);
    const r = doctor(repo);
    expect(r.stdout).toMatch(/^warning: \[driver-runs\] merge\.statefile\.driver was written by an older install, without the check that node and the package still exist .*run `statefile-merge install` again$/m);
    expect(runBin(repo, ["install"]).status).toBe(0);
    expect(doctor(repo).stdout).not.toMatch(/written by an older install/);
  });

  it("with NODE_EXTRA_CA_CERTS set, hints that an older install's commands load the certificates at every start", () => {
    const repo = fresh();
    const hint = /^hint: \[driver-runs\] NODE_EXTRA_CA_CERTS is set, and (\S+), (\S+), (\S+), (\S+) were written by an older install, .*run `statefile-merge install` again/m;
    repo.env.NODE_EXTRA_CA_CERTS = join(repo.dir, "no-such-ca.pem");
    const before = doctor(repo, "--strict");
    expect(before.stdout).not.toMatch(/NODE_EXTRA_CA_CERTS is set/);
    // The commands as the install before this form wrote them: no empty NODE_EXTRA_CA_CERTS first.
    for (const key of ["merge.statefile.driver", "merge.statefile-virtual.driver", "diff.statefile.command", "diff.statefile.textconv"]) {
      repo.git("config", key, repo.git("config", "--get", key).trim().replace("NODE_EXTRA_CA_CERTS= ", ""));
    }
    const r = doctor(repo);
    expect(r.stdout.match(hint)?.slice(1).sort()).toEqual(["diff.statefile.command", "diff.statefile.textconv", "merge.statefile-virtual.driver", "merge.statefile.driver"]);
    // A hint fails nothing, not even --strict (which Git before 2.44 fails on its own).
    expect(doctor(repo, "--strict").status).toBe(before.status);
    delete repo.env.NODE_EXTRA_CA_CERTS;
    expect(doctor(repo).stdout).not.toMatch(/NODE_EXTRA_CA_CERTS is set/);
    repo.env.NODE_EXTRA_CA_CERTS = join(repo.dir, "no-such-ca.pem");
    expect(runBin(repo, ["install"]).status).toBe(0);
    expect(doctor(repo).stdout).not.toMatch(/NODE_EXTRA_CA_CERTS is set/);
  });

  it("the hint about an older install's commands names `install --global` for commands from the global config", () => {
    const repo = fresh();
    repo.env.NODE_EXTRA_CA_CERTS = join(repo.dir, "no-such-ca.pem");
    const textconv = repo.git("config", "--get", "diff.statefile.textconv").trim();
    repo.git("config", "--local", "--unset", "diff.statefile.textconv");
    repo.git("config", "--global", "diff.statefile.textconv", textconv.replace("NODE_EXTRA_CA_CERTS= ", ""));
    const r = doctor(repo);
    expect(r.stdout).toMatch(/^hint: \[driver-runs\] NODE_EXTRA_CA_CERTS is set, and diff\.statefile\.textconv was written by an older install, .*; run `statefile-merge install --global` again /m);
    expect(runBin(repo, ["install", "--global"]).status).toBe(0);
    expect(doctor(repo).stdout).not.toMatch(/NODE_EXTRA_CA_CERTS is set/);
  });

  it("an older install's command in this worktree's own config: the advice removes it there first, and following it clears the finding", () => {
    const repo = fresh();
    repo.env.NODE_EXTRA_CA_CERTS = join(repo.dir, "no-such-ca.pem");
    repo.git("config", "extensions.worktreeConfig", "true");
    const textconv = repo.git("config", "--get", "diff.statefile.textconv").trim();
    repo.git("config", "--worktree", "diff.statefile.textconv", textconv.replace("NODE_EXTRA_CA_CERTS= ", ""));
    const hint = doctor(repo).stdout.split("\n").find((l) => l.startsWith("hint: [driver-runs] NODE_EXTRA_CA_CERTS is set"));
    expect(hint).toMatch(/run `git config --worktree --unset diff\.statefile\.textconv` \(this worktree's own values outrank install's\), then `statefile-merge install` again/);
    repo.git("config", "--worktree", "--unset", "diff.statefile.textconv");
    expect(runBin(repo, ["install"]).status).toBe(0);
    expect(doctor(repo).stdout).not.toMatch(/NODE_EXTRA_CA_CERTS is set/);
  });

  it("a driver that prints on stdout, and one that does not merge", () => {
    const repo = fresh();
    const installed = repo.git("config", "merge.statefile.driver").trim();
    repo.git("config", "merge.statefile.driver", `echo noise; ${installed}`);
    expect(errors(doctor(repo).stdout).join("\n")).toMatch(/printed on standard output \(noise\)/);
    repo.git("config", "merge.statefile.driver", "git merge-file %A %O %B");
    expect(errors(doctor(repo).stdout).join("\n")).toMatch(/merge\.statefile\.driver does not work: it exited with status 1/);
  });

  // Found by content, whatever the name: the same answer verify and conflicts use (view/stateContent.ts).
  it.each([
    ["NixOps export", "deploy/state.json", () => fixtureText("hetzner-hcloud-multitenant")],
    ["Terraform state", "infra/terraform.tfstate", () => tfstateText("aws-modules-count-tf1.4.6")],
  ])("a tracked %s that no attribute covers", (kind, file, text) => {
    const repo = fresh();
    repo.write(file, text()).commit("state under a name install did not cover");
    const r = doctor(repo);
    expect(r.status).toBe(1);
    const name = file.replace(/[./]/g, (c) => `\\${c}`);
    expect(errors(r.stdout)).toEqual([expect.stringMatching(new RegExp(`^error: \\[coverage\\] ${name} looks like a ${kind} but its merge attribute is unspecified`))]);
  });

  it("a state file a sparse checkout leaves out is still merged, so it is still checked (by name, and by content from the index)", () => {
    const repo = fresh();
    repo.write("keep/README", "x\n");
    repo.write("envs/prod.nixops.json", fixtureText("hetzner-hcloud-multitenant"));
    repo.write("envs/state.json", fixtureText("vbox-none-2machines"));
    repo.commit("envs");
    // A later line for envs/ wins over install's (in .git/info/attributes, which ranks first).
    const info = join(repo.dir, ".git", "info", "attributes");
    appendFileSync(info, "envs/* merge=text\n");
    const full = errors(doctor(repo).stdout).filter((l) => l.includes("[coverage]"));
    expect(full).toHaveLength(2);
    repo.git("sparse-checkout", "set", "keep", "sub");
    expect(existsSync(join(repo.dir, "envs", "prod.nixops.json"))).toBe(false);
    const sparse = errors(doctor(repo).stdout).filter((l) => l.includes("[coverage]"));
    expect(sparse).toEqual(full);
  });

  it("advises a pattern install takes for a state file whose name has a space, and following it covers the file", () => {
    const repo = fresh();
    repo.write("prod state.json", fixtureText("hetzner-hcloud-multitenant")).commit("state with a space in its name");
    const r = doctor(repo);
    expect(r.stdout).toContain("run `statefile-merge install --attributes --pattern 'prod?state.json'`");
    expect(runBin(repo, ["install", "--attributes", "--pattern", "prod?state.json"]).status).toBe(0);
    expect(repo.git("check-attr", "merge", "--", "prod state.json").trim()).toBe("prod state.json: merge: statefile");
  });

  it("a committed file holding conflict markers, and one in an unfinished merge", () => {
    const repo = fresh();
    branchWith(repo, "topic", stateWith(theirsDeploy), "theirs");
    commitOnMain(repo, stateWith(oursDeploy), "ours");
    expect(repo.tryGit("merge", "topic").status).toBe(1);
    const during = doctor(repo);
    expect(during.status).toBe(1);
    expect(errors(during.stdout).join("\n")).toMatch(/prod\.nixops\.json is still in conflict \(markers from line \d+\)/);
    repo.git("commit", "-qam", "committed with markers");
    const after = doctor(repo);
    expect(after.status).toBe(1);
    expect(errors(after.stdout).join("\n")).toMatch(/prod\.nixops\.json holds conflict markers \(line \d+\) but is not in conflict/);
  });

  it("a committed state file that is not JSON is named with its line and column (its merges would be line merges)", () => {
    const repo = fresh();
    const broken = stateWith(oursDeploy).replace(/("name": "[^"]*"),\n/, "$1\n");
    commitOnMain(repo, broken, "a hand edit dropped a comma");
    const line = broken.split("\n").findIndex((l, i, all) => i > 0 && /"name": "/.test(all[i - 1]) && !all[i - 1].endsWith(",")) + 1;
    const r = doctor(repo);
    expect(r.status).toBe(1);
    expect(errors(r.stdout)).toContainEqual(expect.stringMatching(new RegExp(`^error: \\[state-files\\] prod\\.nixops\\.json:${line}:\\d+: not valid JSON \\(.*\\): its merges fall back to Git's line merge; fix it \\(statefile-merge check prod\\.nixops\\.json\\)$`)));
    expect(r.stdout).not.toMatch(/the check itself failed/);
  });

  it("the driver's conflict style must match merge.conflictStyle: a later change needs install again", () => {
    const repo = fresh();
    expect(doctor(repo).stdout).toMatch(/^ok: \[conflict-style\] merge\.statefile\.driver writes conflicts in the merge style/m);
    repo.git("config", "merge.conflictStyle", "diff3");
    const r = doctor(repo);
    expect(r.status).toBe(1);
    expect(errors(r.stdout)).toEqual([
      "error: [conflict-style] merge.statefile.driver writes conflicts in the merge style but merge.conflictStyle is diff3: run `statefile-merge install` to copy the setting into the driver command",
    ]);
    expect(runBin(repo, ["install"]).status).toBe(0);
    expect(errors(doctor(repo).stdout)).toEqual([]);
  });

  it("a global install whose style no longer matches: says to run `install --global`; an older install without the option passes", () => {
    const repo = fresh();
    repo.git("config", "--local", "--remove-section", "merge.statefile");
    repo.git("config", "--local", "--remove-section", "merge.statefile-virtual");
    expect(runBin(repo, ["install", "--global"]).status).toBe(0);
    repo.git("config", "--global", "merge.conflictStyle", "zdiff3");
    expect(errors(doctor(repo).stdout)).toEqual([
      "error: [conflict-style] merge.statefile.driver writes conflicts in the merge style but merge.conflictStyle is zdiff3: run `statefile-merge install --global` to copy the setting into the driver command",
    ]);
    const old = repo.git("config", "--global", "merge.statefile.driver").trim().replace(" --conflict-style merge", "");
    repo.git("config", "--global", "merge.statefile.driver", old);
    const r = doctor(repo);
    expect(r.stdout).not.toMatch(/\[conflict-style\]/);
    expect(r.status).toBe(0);
  });

  it("a remote on a forge: one hint about `statefile-merge verify` in CI, which never fails doctor", () => {
    const repo = fresh();
    repo.git("remote", "add", "backup", "https://git.example.org/ops/deploy.git");
    expect(doctor(repo).stdout).not.toMatch(/\[ci\]/);
    for (const url of ["git@github.com:acme/deploy.git", "https://gitlab.acme.example/ops/deploy.git"]) {
      repo.git("remote", "add", "origin", url);
      const hinted = doctor(repo);
      expect(hinted.stdout.split("\n").filter((l) => l.includes("[ci]"))).toEqual([
        "hint: [ci] remote origin is on a forge: run `statefile-merge verify` in CI so a broken or conflicted state file cannot be merged unnoticed (see docs/ci.md)",
      ]);
      expect(hinted.status).toBe(0);
      // Not even --strict fails on a hint.
      expect(runDoctor(doctorContext(repo.dir), { strict: true }, [checkCiGuard]).exitCode).toBe(0);
      repo.git("remote", "remove", "origin");
    }
  });

  it("refuses outside a repository", () => {
    const repo = fresh();
    const r = runBin(repo, ["doctor"], join(repo.dir, "..", "home"));
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/not inside a Git work tree/);
  });

  it("runs the checks added at the hook point (the policy file's, for one)", () => {
    const repo = fresh();
    const extra: DoctorCheck = (ctx) => [{ severity: "error", check: "policy", message: `bad policy in ${ctx.top}` }];
    EXTRA_DOCTOR_CHECKS.push(extra);
    try {
      const ctx = doctorContext(join(repo.dir, "sub"));
      const result = runDoctor(ctx);
      expect(result.findings).toContainEqual({ severity: "error", check: "policy", message: `bad policy in ${repo.dir}` });
      expect(result.exitCode).toBe(1);
    } finally {
      EXTRA_DOCTOR_CHECKS.splice(EXTRA_DOCTOR_CHECKS.indexOf(extra), 1);
    }
  });
});
