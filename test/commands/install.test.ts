// `statefile-merge install` / `uninstall` with the built bin in real repositories.

import { cpSync, existsSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { spawnSync } from "node:child_process";
import { afterAll, describe, expect, it } from "vitest";
import { TempRepo } from "../support/gitRepo";
import { BIN, REPO_ROOT, State } from "../support/fixtures";
import { branchWith, buildFixtureRepo, commitOnMain, FILE, hunks, oursChange, oursDeploy, removeCopies, runBin, stateWith, theirsChange, theirsDeploy } from "../support/flowRepo";
import { BLOCK_BEGIN, BLOCK_END, driverSettings, installFormOf, isOurValue } from "../../src/git/install";

const roots: string[] = [];
afterAll(() => {
  removeCopies();
  for (const r of roots) rmSync(r, { recursive: true, force: true });
});

function newRepo(): TempRepo {
  const repo = TempRepo.create();
  roots.push(join(repo.dir, ".."));
  // Git's default global attributes file then lies under the test's HOME, never the real one.
  delete repo.env.XDG_CONFIG_HOME;
  return repo;
}

const q = (s: string) => `'${s}'`;
/** Every command starts Node without NODE_EXTRA_CA_CERTS's certificates (a slow start it never uses). */
const RUN = `NODE_EXTRA_CA_CERTS= ${q(process.execPath)} ${q(BIN)}`;
/** Before a merge driver line: node and the package must still be there, else the line merge and exit 255. */
const GUARD =
  `[ -x ${q(process.execPath)} ] && [ -f ${q(BIN)} ] || { echo 'statefile-merge: the node or the package that merge.statefile.driver names is gone ` +
  `(node upgraded, or the package moved); run statefile-merge install again' >&2; git merge-file --marker-size=%L %A %O %B; exit 255; }; `;
const ARGS = "%O %A %B -p %P -l %L -s %S -x %X -y %Y";
const LINES = ["*.nixops.json merge=statefile diff=statefile", "*.nixops-exported merge=statefile diff=statefile"];

function configFile(repo: TempRepo): string {
  return readFileSync(join(repo.dir, ".git", "config"), "utf8");
}

function infoAttributes(repo: TempRepo): string {
  return readFileSync(join(repo.dir, ".git", "info", "attributes"), "utf8");
}

/** Git's default user attributes file (core.attributesFile unset), under the test's HOME. */
function globalAttributes(repo: TempRepo): string {
  return join(repo.env.HOME!, ".config", "git", "attributes");
}

/** `git status --porcelain`: empty when no tracked or untracked file of the work tree changed. */
function status(repo: TempRepo): string {
  return repo.git("status", "--porcelain", "--untracked-files=all");
}

/** A clone whose team set-up is committed: `install --attributes`, then .gitattributes committed. */
function teamRepo(): TempRepo {
  const repo = newRepo();
  repo.write(".gitattributes", "*.png binary\n");
  expect(runBin(repo, ["install", "--attributes"]).status).toBe(0);
  repo.commit("team set-up", ".gitattributes");
  return repo;
}

describe("install", () => {
  it("writes both merge drivers, the diff driver, and by default the attribute lines for this clone only", () => {
    const repo = newRepo();
    const r = runBin(repo, ["install"]);
    expect(r.status).toBe(0);
    const get = (key: string) => repo.git("config", "--local", "--get", key).trim();
    expect(get("merge.statefile.driver")).toBe(`${GUARD}${RUN} merge --conflict-style merge ${ARGS}`);
    expect(get("merge.statefile.recursive")).toBe("statefile-virtual");
    expect(get("merge.statefile-virtual.driver")).toBe(`${GUARD}${RUN} merge --virtual-base ${ARGS}`);
    expect(get("merge.statefile.name")).not.toBe("");
    expect(get("merge.statefile-virtual.name")).not.toBe("");
    expect(get("diff.statefile.command")).toBe(`${RUN} git-diff`);
    expect(get("diff.statefile.textconv")).toBe(`${RUN} textconv`);
    expect(infoAttributes(repo)).toBe([BLOCK_BEGIN, ...LINES, BLOCK_END, ""].join("\n"));
    expect(existsSync(join(repo.dir, ".gitattributes"))).toBe(false);
    expect(status(repo)).toBe("");
    expect(r.stdout).toMatch(/\.gitattributes does not mark \*\.nixops\.json, \*\.nixops-exported: .*`statefile-merge install --attributes`/);
    expect(repo.git("check-attr", "merge", "diff", "--", "a/prod.nixops.json").trim().split("\n")).toEqual([
      "a/prod.nixops.json: merge: statefile",
      "a/prod.nixops.json: diff: statefile",
    ]);
  });

  it("--attributes writes the lines into .gitattributes, and says the file is to be committed", () => {
    const repo = newRepo();
    const r = runBin(repo, ["install", "--attributes"]);
    expect(r.status).toBe(0);
    expect(repo.read(".gitattributes")).toBe([BLOCK_BEGIN, ...LINES, BLOCK_END, ""].join("\n"));
    expect(existsSync(join(repo.dir, ".git", "info", "attributes"))).toBe(false);
    expect(r.stdout).toMatch(/^added \*\.nixops\.json, \*\.nixops-exported to \.gitattributes \(new file: commit it/m);
  });

  it("without --attributes leaves the team's committed .gitattributes alone and says what --attributes would add", () => {
    const repo = newRepo();
    repo.write(".gitattributes", "*.png binary\n").commit("team attributes", ".gitattributes");
    const r = runBin(repo, ["install", "--pattern", "state/*.json"]);
    expect(r.status).toBe(0);
    expect(status(repo)).toBe("");
    expect(repo.read(".gitattributes")).toBe("*.png binary\n");
    expect(r.stdout).toMatch(/^added state\/\*\.json to \.git\/info\/attributes \(this clone only\)$/m);
    expect(r.stdout).toMatch(/\.gitattributes does not mark state\/\*\.json: .*`statefile-merge install --attributes` adds the lines to \.gitattributes/);
    expect(repo.git("check-attr", "merge", "--", "state/prod.json")).toBe("state/prod.json: merge: statefile\n");
  });

  it("--attributes changes a committed .gitattributes and says so", () => {
    const repo = newRepo();
    repo.write(".gitattributes", "*.png binary\n").commit("team attributes", ".gitattributes");
    const r = runBin(repo, ["install", "--attributes"]);
    expect(r.stdout).toMatch(/^added \*\.nixops\.json, \*\.nixops-exported to \.gitattributes \(a committed file: review and commit the change\)$/m);
    expect(status(repo)).toBe(" M .gitattributes\n");
  });

  it("in a clone of a team that committed its set-up: only the config changes", () => {
    const repo = teamRepo();
    repo.git("config", "--remove-section", "merge.statefile");
    const r = runBin(repo, ["install"]);
    expect(r.status).toBe(0);
    expect(r.stdout).not.toMatch(/attributes/);
    expect(status(repo)).toBe("");
    expect(existsSync(join(repo.dir, ".git", "info", "attributes"))).toBe(false);
  });

  it("is idempotent: a second run changes no byte", () => {
    for (const flags of [[], ["--attributes"]]) {
      const repo = newRepo();
      runBin(repo, ["install", "--pattern", "state/*.json", ...flags]);
      const config = configFile(repo);
      const attrs = flags.length ? repo.read(".gitattributes") : infoAttributes(repo);
      const r = runBin(repo, ["install", "--pattern", "state/*.json", ...flags]);
      expect(r.status).toBe(0);
      expect(r.stdout).toMatch(/nothing changed/);
      expect(configFile(repo)).toBe(config);
      expect(flags.length ? repo.read(".gitattributes") : infoAttributes(repo)).toBe(attrs);
    }
  });

  it("adds further patterns to its block, keeps the user's lines, and skips lines the user already has", () => {
    const repo = newRepo();
    repo.write(".gitattributes", "*.png binary\nstate.json merge=statefile diff=statefile\n");
    runBin(repo, ["install", "--attributes", "--pattern", "a.json"]);
    runBin(repo, ["install", "--attributes", "--pattern", "b.json", "--pattern", "state.json"]);
    expect(repo.read(".gitattributes")).toBe(
      ["*.png binary", "state.json merge=statefile diff=statefile", BLOCK_BEGIN, "a.json merge=statefile diff=statefile", "b.json merge=statefile diff=statefile", BLOCK_END, ""].join("\n"),
    );
  });

  it("the older --attributes-file spelling still works both ways", () => {
    const repo = newRepo();
    expect(runBin(repo, ["install", "--attributes-file", "info"]).status).toBe(0);
    expect(existsSync(join(repo.dir, ".gitattributes"))).toBe(false);
    expect(infoAttributes(repo)).toContain("*.nixops.json merge=statefile diff=statefile");
    expect(runBin(repo, ["install", "--attributes-file", ".gitattributes"]).status).toBe(0);
    expect(repo.read(".gitattributes")).toContain("*.nixops.json merge=statefile diff=statefile");
  });

  it("--global writes the user's config and attributes file and leaves the repository it runs in alone", () => {
    const repo = newRepo();
    repo.write("README", "x\n").commit("readme");
    const r = runBin(repo, ["install", "--global"]);
    expect(r.status).toBe(0);
    expect(repo.git("config", "--global", "--get", "merge.statefile.driver").trim()).toBe(`${GUARD}${RUN} merge --conflict-style merge ${ARGS}`);
    expect(readFileSync(globalAttributes(repo), "utf8")).toBe([BLOCK_BEGIN, ...LINES, BLOCK_END, ""].join("\n"));
    expect(r.stdout).toContain(`added *.nixops.json, *.nixops-exported to ${globalAttributes(repo)}`);
    expect(repo.tryGit("config", "--local", "--get-regexp", "statefile").status).toBe(1);
    expect(status(repo)).toBe("");
    expect(existsSync(join(repo.dir, ".git", "info", "attributes"))).toBe(false);
    // Every repository of the user now routes the state files.
    expect(repo.git("check-attr", "merge", "--", "prod.nixops.json")).toBe("prod.nixops.json: merge: statefile\n");
  });

  it("--global writes to core.attributesFile when the user set one", () => {
    const repo = newRepo();
    const file = join(repo.env.HOME!, "my-attributes");
    repo.git("config", "--global", "core.attributesFile", file);
    expect(runBin(repo, ["install", "--global"]).status).toBe(0);
    expect(readFileSync(file, "utf8")).toContain("*.nixops.json merge=statefile diff=statefile");
    expect(existsSync(globalAttributes(repo))).toBe(false);
  });

  it("--global writes the attributes file the system config names for each user, and refuses, changing nothing, one every user shares", () => {
    const repo = newRepo();
    const system = join(repo.env.HOME!, "system-gitconfig");
    repo.env.GIT_CONFIG_SYSTEM = system;
    // Where Git skips the system file (GIT_CONFIG_NOSYSTEM), so does install: the default file.
    const shared = join(mkdtempSync(join(tmpdir(), "statefile-merge-site-")), "gitattributes");
    writeFileSync(system, `[core]\n\tattributesFile = ${shared}\n`);
    expect(runBin(repo, ["install", "--global"]).status).toBe(0);
    expect(readFileSync(globalAttributes(repo), "utf8")).toContain("*.nixops.json merge=statefile diff=statefile");
    expect(runBin(repo, ["uninstall", "--global"]).status).toBe(0);
    // Read, it names a file all users share: refused before anything is written.
    delete repo.env.GIT_CONFIG_NOSYSTEM;
    const r = runBin(repo, ["install", "--global"]);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain(`the system config sets core.attributesFile to ${shared}, a file every user of this machine shares`);
    expect(r.stderr).toContain("(nothing was changed)");
    expect(repo.tryGit("config", "--global", "--get", "merge.statefile.driver").status).toBe(1);
    expect(existsSync(shared)).toBe(false);
    // Each user's own file (~ is each user's home): written, and Git reads it.
    writeFileSync(system, "[core]\n\tattributesFile = ~/.gitattributes\n");
    expect(runBin(repo, ["install", "--global"]).status).toBe(0);
    expect(readFileSync(join(repo.env.HOME!, ".gitattributes"), "utf8")).toContain("*.nixops.json merge=statefile diff=statefile");
    expect(repo.git("check-attr", "merge", "--", "prod.nixops.json")).toBe("prod.nixops.json: merge: statefile\n");
  });

  it("refuses --global with --attributes: the two change different things", () => {
    const repo = newRepo();
    for (const command of ["install", "uninstall"]) {
      const r = runBin(repo, [command, "--global", "--attributes"]);
      expect(r.status).toBe(2);
      expect(r.stderr).toMatch(/--global never changes a repository/);
    }
    expect(existsSync(repo.env.GIT_CONFIG_GLOBAL!)).toBe(false);
    expect(status(repo)).toBe("");
  });

  it("works from a subdirectory and puts .gitattributes at the top", () => {
    const repo = newRepo();
    repo.write("deploy/README", "x\n");
    expect(runBin(repo, ["install", "--attributes"], join(repo.dir, "deploy")).status).toBe(0);
    expect(existsSync(join(repo.dir, ".gitattributes"))).toBe(true);
    expect(existsSync(join(repo.dir, "deploy", ".gitattributes"))).toBe(false);
  });

  it("install and uninstall refuse outside a repository without --global; install rejects a pattern with spaces", () => {
    const repo = newRepo();
    const outside = join(repo.dir, "..", "home");
    for (const command of ["install", "uninstall"]) {
      const r = runBin(repo, [command], outside);
      expect(r.status).toBe(2);
      expect(r.stderr).toMatch(/not inside a Git work tree/);
    }
    const bad = runBin(repo, ["install", "--attributes", "--pattern", "my state.json"]);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/cannot go in a gitattributes file/);
    expect(existsSync(join(repo.dir, ".gitattributes"))).toBe(false);
    // Lines Git reads that would route no file: refused, nothing written.
    for (const [pattern, says] of [["envs/", /ends in \/, which matches no file .*write envs\/\*\*/], ["[attr]state", /defines an attribute macro/]] as const) {
      const r = runBin(repo, ["install", "--attributes", "--pattern", pattern]);
      expect(r.status, pattern).toBe(2);
      expect(r.stderr).toMatch(says);
    }
    expect(existsSync(join(repo.dir, ".gitattributes"))).toBe(false);
  });

  it("refuses a .gitattributes that is a symbolic link (Git does not read it), changing nothing, not even the config", () => {
    const repo = newRepo();
    repo.write("team-attributes", "*.md text\n");
    symlinkSync("team-attributes", join(repo.dir, ".gitattributes"));
    const r = runBin(repo, ["install", "--attributes"]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/\.gitattributes is a symbolic link, which Git does not read as \.gitattributes/);
    expect(r.stderr).toContain("(nothing was changed)");
    expect(readFileSync(join(repo.dir, "team-attributes"), "utf8")).toBe("*.md text\n");
    expect(repo.tryGit("config", "--local", "--get-regexp", "statefile").stdout).toBe("");
  });

  it("refuses, changing no config, a block whose end line is gone: install, and uninstall of an installed clone", () => {
    const repo = newRepo();
    const broken = `*.md text\n${BLOCK_BEGIN}\n*.nixops.json merge=statefile diff=statefile\n`;
    repo.write(".gitattributes", broken);
    const r = runBin(repo, ["install", "--attributes"]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/\.gitattributes: install's block begins on line 2 but its end line .* is gone.*\(nothing was changed\)/);
    expect(repo.tryGit("config", "--local", "--get-regexp", "statefile").stdout).toBe("");
    // Installed for this clone only, then asked to remove the team's lines too.
    expect(runBin(repo, ["install"]).status).toBe(0);
    const before = repo.git("config", "--local", "--get-regexp", "statefile");
    const u = runBin(repo, ["uninstall", "--attributes"]);
    expect(u.status).toBe(2);
    expect(u.stdout).toBe("");
    expect(repo.git("config", "--local", "--get-regexp", "statefile")).toBe(before);
    expect(readFileSync(join(repo.dir, ".gitattributes"), "utf8")).toBe(broken);
  });

  it("refuses an attributes file that is a symbolic link to nothing, naming where it points, changing nothing", () => {
    const repo = newRepo();
    const info = join(repo.dir, ".git", "info", "attributes");
    mkdirSync(dirname(info), { recursive: true });
    symlinkSync("/nonexistent/attributes", info);
    const r = runBin(repo, ["install"]);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain(`${info} is a symbolic link to /nonexistent/attributes, which does not exist; create that file or remove the link`);
    expect(lstatSync(info).isSymbolicLink()).toBe(true);
    expect(repo.tryGit("config", "--local", "--get-regexp", "statefile").stdout).toBe("");
  });
});

describe("install copies merge.conflictStyle into the driver command", () => {
  const driver = (repo: TempRepo, scope: string) => repo.git("config", scope, "--get", "merge.statefile.driver").trim();

  it("the repository's effective style for a local install, and install again follows a change", () => {
    const repo = newRepo();
    repo.git("config", "--global", "merge.conflictStyle", "diff3");
    runBin(repo, ["install"]);
    expect(driver(repo, "--local")).toBe(`${GUARD}${RUN} merge --conflict-style diff3 ${ARGS}`);
    repo.git("config", "--local", "merge.conflictStyle", "zdiff3");
    expect(runBin(repo, ["install"]).stdout).toMatch(/^replaced merge\.statefile\.driver in the repository config/m);
    expect(driver(repo, "--local")).toBe(`${GUARD}${RUN} merge --conflict-style zdiff3 ${ARGS}`);
    // The virtual-base driver never writes markers: no style.
    expect(repo.git("config", "--get", "merge.statefile-virtual.driver").trim()).toBe(`${GUARD}${RUN} merge --virtual-base ${ARGS}`);
  });

  it("the global style for --global, whatever the repository it runs in says", () => {
    const repo = newRepo();
    repo.git("config", "--global", "merge.conflictStyle", "diff3");
    repo.git("config", "--local", "merge.conflictStyle", "zdiff3");
    runBin(repo, ["install", "--global"]);
    expect(driver(repo, "--global")).toBe(`${GUARD}${RUN} merge --conflict-style diff3 ${ARGS}`);
  });

  it("the driver writes the installed style without asking git config (a later change shows only after install)", () => {
    const fixture = buildFixtureRepo();
    roots.push(join(fixture.dir, ".."));
    fixture.git("config", "merge.conflictStyle", "diff3");
    expect(runBin(fixture, ["install"]).status).toBe(0);
    fixture.git("config", "merge.conflictStyle", "merge");
    branchWith(fixture, "topic", stateWith(theirsDeploy), "theirs");
    commitOnMain(fixture, stateWith(oursDeploy), "ours");
    expect(fixture.tryGit("merge", "topic").status).toBe(1);
    const conflicted = hunks(fixture.read(FILE));
    expect(conflicted.length).toBeGreaterThan(0);
    // diff3 has a base section; the merge style (today's config) has none.
    expect(conflicted.every((h) => h.base !== null)).toBe(true);
  });

  it("no style on the driver line when a worktree sets its own (extensions.worktreeConfig): each worktree's merges follow its style, and doctor agrees", () => {
    const fixture = buildFixtureRepo();
    roots.push(join(fixture.dir, ".."));
    fixture.git("config", "extensions.worktreeConfig", "true");
    branchWith(fixture, "topic", stateWith(theirsDeploy), "theirs");
    fixture.git("branch", "linked-base", "main");
    const linked = new TempRepo(join(fixture.dir, "..", "linked"));
    fixture.git("worktree", "add", "-q", linked.dir, "linked-base");
    linked.git("config", "--worktree", "merge.conflictStyle", "diff3");
    expect(runBin(fixture, ["install"]).status).toBe(0);
    expect(driver(fixture, "--local")).toBe(`${GUARD}${RUN} merge ${ARGS}`);

    commitOnMain(fixture, stateWith(oursDeploy), "ours");
    expect(fixture.tryGit("merge", "topic").status).toBe(1);
    expect(hunks(fixture.read(FILE)).every((h) => h.base === null)).toBe(true); // the main worktree's style: merge
    linked.write(FILE, stateWith(oursDeploy)).commit("ours in the linked worktree", FILE);
    expect(linked.tryGit("merge", "topic").status).toBe(1);
    const inLinked = hunks(linked.read(FILE));
    expect(inLinked.length).toBeGreaterThan(0);
    expect(inLinked.every((h) => h.base !== null)).toBe(true); // its own: diff3
    for (const where of [fixture, linked]) {
      const doctor = runBin(where, ["doctor"]);
      expect(doctor.stdout + doctor.stderr).not.toMatch(/conflict-style.*(error|run `statefile-merge install)/);
    }
  });
});

describe("uninstall", () => {
  it("removes exactly what install added: config and attribute files come back byte for byte", () => {
    const repo = newRepo();
    repo.git("config", "user.name", "Team");
    repo.git("config", "merge.other.driver", "other-tool %A");
    repo.write(".gitattributes", "*.png binary\n");
    const config = configFile(repo);
    runBin(repo, ["install"]);
    runBin(repo, ["install", "--attributes"]);
    const r = runBin(repo, ["uninstall", "--attributes"]);
    expect(r.status).toBe(0);
    expect(configFile(repo)).toBe(config);
    expect(repo.read(".gitattributes")).toBe("*.png binary\n");
    expect(existsSync(join(repo.dir, ".git", "info", "attributes"))).toBe(false);
    expect(runBin(repo, ["uninstall"]).stdout).toMatch(/nothing installed/);
  });

  it("in a clone leaves the team's committed .gitattributes alone and says how to remove its lines", () => {
    const repo = teamRepo();
    const r = runBin(repo, ["uninstall"]);
    expect(r.status).toBe(0);
    expect(status(repo)).toBe("");
    expect(repo.tryGit("config", "--local", "--get-regexp", "statefile").status).toBe(1);
    expect(r.stdout).toMatch(/^\.gitattributes still holds install's lines .* line by line in this clone; `statefile-merge uninstall --attributes` removes the lines too$/m);
  });

  it("with a global driver still configured, says that driver keeps merging the files, not the line merge", () => {
    const repo = teamRepo();
    expect(runBin(repo, ["install", "--global"]).status).toBe(0);
    const r = runBin(repo, ["uninstall"]);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^\.gitattributes still holds install's lines .*, and the merge driver still configured outside this repository \(the global config\) merges those files;/m);
    expect(r.stdout).not.toMatch(/line by line in this clone/);
  });

  it("--attributes removes install's lines from the committed .gitattributes and says so", () => {
    const repo = teamRepo();
    const kept = runBin(repo, ["uninstall", "--attributes"]);
    expect(kept.stdout).toMatch(/^removed the statefile-merge lines from \.gitattributes \(a committed file: review and commit the change\)$/m);
    expect(status(repo)).toBe(" M .gitattributes\n");
    expect(repo.read(".gitattributes")).toBe("*.png binary\n");
    const only = newRepo();
    runBin(only, ["install", "--attributes"]);
    only.commit("set-up", ".gitattributes");
    expect(runBin(only, ["uninstall", "--attributes"]).stdout).toMatch(/^removed the statefile-merge lines from \.gitattributes \(now empty, deleted: commit the deletion\)$/m);
    expect(status(only)).toBe(" D .gitattributes\n");
  });

  it("--global cleans the global config and attributes file and leaves the repository it runs in alone", () => {
    const repo = teamRepo();
    const config = configFile(repo);
    expect(runBin(repo, ["install", "--global"]).status).toBe(0);
    const r = runBin(repo, ["uninstall", "--global"]);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^removed merge\.statefile\.driver from the global config$/m);
    expect(r.stdout).toContain(`removed the statefile-merge lines from ${globalAttributes(repo)}`);
    expect(configFile(repo)).toBe(config);
    expect(status(repo)).toBe("");
    expect(repo.tryGit("config", "--global", "--get-regexp", "statefile").status).toBe(1);
    expect(existsSync(globalAttributes(repo))).toBe(false);
  });

  it("keeps a driver value that install did not write", () => {
    const repo = newRepo();
    runBin(repo, ["install"]);
    repo.git("config", "merge.statefile.driver", "my-own-driver %O %A %B");
    const r = runBin(repo, ["uninstall"]);
    expect(r.stdout).toMatch(/kept merge.statefile.driver/);
    expect(repo.git("config", "--get", "merge.statefile.driver").trim()).toBe("my-own-driver %O %A %B");
    expect(repo.tryGit("config", "--get", "merge.statefile.recursive").status).toBe(1);
  });

  it("recognises install's values whatever the node and package paths and the conflict style were", () => {
    expect(isOurValue("merge.statefile.driver", `'/opt/node18/bin/node' '/home/a/.npm/statefile-merge/bin/statefile-merge.js' merge ${ARGS}`)).toBe(true);
    expect(isOurValue("merge.statefile.driver", `'/n' '/x/statefile-merge.js' merge --conflict-style zdiff3 ${ARGS}`)).toBe(true);
    expect(isOurValue("merge.statefile.driver", `mergiraf merge ${ARGS}`)).toBe(false);
    expect(isOurValue("diff.statefile.command", "'/n' '/x/statefile-merge.js' git-diff")).toBe(true);
    expect(isOurValue("merge.statefile.recursive", "binary")).toBe(false);
    // A path with a quote in it, as shellQuote writes it.
    expect(isOurValue("merge.statefile.driver", `'/opt/it'\\''s/node' '/x/statefile-merge.js' merge ${ARGS}`)).toBe(true);
  });

  it("recognises each form an older install wrote, and tells which", () => {
    const unguarded = `'/n' '/x/statefile-merge.js' merge ${ARGS}`;
    expect(installFormOf("merge.statefile.driver", unguarded)).toEqual({ guard: false, plainNodeStart: false });
    const guardedOnly = `[ -x '/n' ] && [ -f '/x/statefile-merge.js' ] || { echo 'x' >&2; exit 255; }; '/n' '/x/statefile-merge.js' merge ${ARGS}`;
    // Not the guard install wrote: a command of the user's own.
    expect(installFormOf("merge.statefile.driver", guardedOnly)).toBeNull();
    const older = GUARD.replaceAll(q(process.execPath), "'/n'").replaceAll(q(BIN), "'/x/statefile-merge.js'") + `'/n' '/x/statefile-merge.js' merge --conflict-style diff3 ${ARGS}`;
    expect(installFormOf("merge.statefile.driver", older)).toEqual({ guard: true, plainNodeStart: false });
    expect(installFormOf("merge.statefile.driver", older.replace("; '/n' '/x", "; NODE_EXTRA_CA_CERTS= '/n' '/x"))).toEqual({ guard: true, plainNodeStart: true });
    // Diff commands never carried the guard: only the start tells their forms apart.
    expect(installFormOf("diff.statefile.textconv", "'/n' '/x/statefile-merge.js' textconv")?.plainNodeStart).toBe(false);
    expect(installFormOf("diff.statefile.textconv", "NODE_EXTRA_CA_CERTS= '/n' '/x/statefile-merge.js' textconv")?.plainNodeStart).toBe(true);
    // The variable set to something: the user's own command.
    expect(installFormOf("diff.statefile.textconv", "NODE_EXTRA_CA_CERTS=/etc/ca.pem '/n' '/x/statefile-merge.js' textconv")).toBeNull();
  });

  it("the commands Git runs start Node without NODE_EXTRA_CA_CERTS's certificates; an older install's do not", () => {
    const repo = newRepo();
    expect(runBin(repo, ["install"]).status).toBe(0);
    // Node warns at start when the file cannot be loaded: a start that loads it shows.
    const env = { ...repo.env, NODE_EXTRA_CA_CERTS: join(repo.dir, "no-such-ca.pem") };
    const loaded = /Ignoring extra certs/;
    repo.write(FILE, stateWith()).commit("base");
    branchWith(repo, "topic", stateWith(theirsChange), "theirs");
    commitOnMain(repo, stateWith(oursChange), "ours");
    const run = (...args: string[]) => spawnSync("git", args, { cwd: repo.dir, env, encoding: "utf8" });
    const merged = run("merge", "--no-edit", "topic");
    expect(merged.status, merged.stderr).toBe(0);
    expect(merged.stderr + merged.stdout).not.toMatch(loaded);
    expect(repo.read(FILE)).toBe(stateWith(oursChange, theirsChange));
    const shown = run("log", "-p", "-1", "--", FILE);
    expect(shown.status).toBe(0);
    expect(shown.stderr).not.toMatch(loaded);
    repo.write(FILE, stateWith(oursChange, theirsChange, oursDeploy));
    const diffed = run("diff", "--ext-diff", "--", FILE);
    expect(diffed.status).toBe(0);
    expect(diffed.stdout).toMatch(/toplevel/);
    expect(diffed.stderr).not.toMatch(loaded);
    // The control: the same commands in the form an older install wrote load the file.
    for (const [key, value] of driverSettings(process.execPath, BIN, "merge", { guard: true, plainNodeStart: false })) repo.git("config", key, value);
    const older = run("diff", "--ext-diff", "--", FILE);
    expect(older.stderr).toMatch(loaded);
  });

  it("installed from a path holding %, the driver still runs: Git's % expansions are escaped in the driver line", () => {
    const root = mkdtempSync(join(tmpdir(), "statefile-merge-pct-"));
    roots.push(root);
    const pkg = join(root, "tools%Pkg");
    mkdirSync(pkg);
    for (const part of ["bin", "dist", "package.json"]) cpSync(join(REPO_ROOT, part), join(pkg, part), { recursive: true });
    symlinkSync(join(REPO_ROOT, "node_modules"), join(pkg, "node_modules"));
    const repo = newRepo();
    const installed = spawnSync(process.execPath, [join(pkg, "bin", "statefile-merge.js"), "install"], { cwd: repo.dir, env: repo.env, encoding: "utf8" });
    expect(installed.status, installed.stderr).toBe(0);
    expect(repo.git("config", "--get", "merge.statefile.driver")).toContain("tools%%Pkg");
    // Both sides rewrote configsPath (volatile): Git's line merge conflicts, the driver does not.
    const base = State.fixture("vbox-none-2machines");
    repo.write("s.nixops.json", base.text()).commit("base");
    repo.git("checkout", "-q", "-b", "topic");
    repo.write("s.nixops.json", base.clone().set("dev", null, "configsPath", "/nix/store/t-nixops-machines").text()).commit("theirs");
    repo.git("checkout", "-q", "main");
    repo.write("s.nixops.json", base.clone().set("dev", null, "configsPath", "/nix/store/o-nixops-machines").text()).commit("ours");
    const merged = repo.tryGit("merge", "topic");
    expect(merged.status, merged.stderr).toBe(0);
    expect(merged.stderr + merged.stdout).toContain("auto-resolved volatile value");
  });

  it("does not take a command of the user's own for install's, whatever it ends with (uninstall keeps it)", () => {
    expect(isOurValue("merge.statefile.driver", `npx --no-install statefile-merge merge ${ARGS}`)).toBe(false);
    expect(isOurValue("diff.statefile.command", "/opt/team/statefile-merge-wrapper git-diff")).toBe(false);
    expect(isOurValue("merge.statefile.driver", `'/n' '/x/other-tool.js' merge ${ARGS}`)).toBe(false);
    expect(isOurValue("merge.statefile.driver", `'/n' '/x/statefile-merge.js' merge ${ARGS} --extra`)).toBe(false);
  });
});
