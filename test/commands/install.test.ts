// `statefile-merge install` / `uninstall` with the built bin in real repositories.

import { existsSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { TempRepo } from "../support/gitRepo";
import { BIN } from "../support/fixtures";
import { runBin, removeCopies } from "../flows/flowRepo";
import { BLOCK_BEGIN, BLOCK_END, isOurValue } from "../../src/git/install";

const roots: string[] = [];
afterAll(() => {
  removeCopies();
  for (const r of roots) rmSync(r, { recursive: true, force: true });
});

function newRepo(): TempRepo {
  const repo = TempRepo.create();
  roots.push(join(repo.dir, ".."));
  return repo;
}

const q = (s: string) => `'${s}'`;
const RUN = `${q(process.execPath)} ${q(BIN)}`;
const ARGS = "%O %A %B -p %P -l %L -s %S -x %X -y %Y";

function configFile(repo: TempRepo): string {
  return readFileSync(join(repo.dir, ".git", "config"), "utf8");
}

describe("install", () => {
  it("writes both merge drivers, the diff driver and the default attribute lines", () => {
    const repo = newRepo();
    const r = runBin(repo, ["install"]);
    expect(r.status).toBe(0);
    const get = (key: string) => repo.git("config", "--local", "--get", key).trim();
    expect(get("merge.statefile.driver")).toBe(`${RUN} merge ${ARGS}`);
    expect(get("merge.statefile.recursive")).toBe("statefile-virtual");
    expect(get("merge.statefile-virtual.driver")).toBe(`${RUN} merge --virtual-base ${ARGS}`);
    expect(get("merge.statefile.name")).not.toBe("");
    expect(get("merge.statefile-virtual.name")).not.toBe("");
    expect(get("diff.statefile.command")).toBe(`${RUN} git-diff`);
    expect(get("diff.statefile.textconv")).toBe(`${RUN} textconv`);
    expect(repo.read(".gitattributes")).toBe(
      [BLOCK_BEGIN, "*.nixops.json merge=statefile diff=statefile", "*.nixops-exported merge=statefile diff=statefile", BLOCK_END, ""].join("\n"),
    );
    expect(repo.git("check-attr", "merge", "diff", "--", "a/prod.nixops.json").trim().split("\n")).toEqual([
      "a/prod.nixops.json: merge: statefile",
      "a/prod.nixops.json: diff: statefile",
    ]);
  });

  it("is idempotent: a second run changes no byte", () => {
    const repo = newRepo();
    runBin(repo, ["install", "--pattern", "state/*.json"]);
    const config = configFile(repo);
    const attrs = repo.read(".gitattributes");
    const r = runBin(repo, ["install", "--pattern", "state/*.json"]);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/nothing changed/);
    expect(configFile(repo)).toBe(config);
    expect(repo.read(".gitattributes")).toBe(attrs);
  });

  it("adds further patterns to its block, keeps the user's lines, and skips lines the user already has", () => {
    const repo = newRepo();
    repo.write(".gitattributes", "*.png binary\nstate.json merge=statefile diff=statefile\n");
    runBin(repo, ["install", "--pattern", "a.json"]);
    runBin(repo, ["install", "--pattern", "b.json", "--pattern", "state.json"]);
    expect(repo.read(".gitattributes")).toBe(
      ["*.png binary", "state.json merge=statefile diff=statefile", BLOCK_BEGIN, "a.json merge=statefile diff=statefile", "b.json merge=statefile diff=statefile", BLOCK_END, ""].join("\n"),
    );
  });

  it("--attributes-file info writes .git/info/attributes and leaves .gitattributes alone", () => {
    const repo = newRepo();
    expect(runBin(repo, ["install", "--attributes-file", "info"]).status).toBe(0);
    expect(existsSync(join(repo.dir, ".gitattributes"))).toBe(false);
    expect(readFileSync(join(repo.dir, ".git", "info", "attributes"), "utf8")).toContain("*.nixops.json merge=statefile diff=statefile");
    expect(repo.git("check-attr", "merge", "--", "x.nixops-exported")).toBe("x.nixops-exported: merge: statefile\n");
  });

  it("--global writes the user's config, not the repository's", () => {
    const repo = newRepo();
    expect(runBin(repo, ["install", "--global"]).status).toBe(0);
    expect(readFileSync(repo.env.GIT_CONFIG_GLOBAL!, "utf8")).toContain(`driver = ${RUN} merge ${ARGS}`);
    expect(repo.tryGit("config", "--local", "--get", "merge.statefile.driver").status).toBe(1);
  });

  it("works from a subdirectory and puts .gitattributes at the top", () => {
    const repo = newRepo();
    repo.write("deploy/README", "x\n");
    expect(runBin(repo, ["install"], join(repo.dir, "deploy")).status).toBe(0);
    expect(existsSync(join(repo.dir, ".gitattributes"))).toBe(true);
    expect(existsSync(join(repo.dir, "deploy", ".gitattributes"))).toBe(false);
  });

  it("refuses outside a repository without --global, and rejects a pattern with spaces", () => {
    const repo = newRepo();
    const outside = join(repo.dir, "..", "home");
    const r = runBin(repo, ["install"], outside);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/not inside a Git work tree/);
    const bad = runBin(repo, ["install", "--pattern", "my state.json"]);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/cannot go in a gitattributes file/);
    expect(existsSync(join(repo.dir, ".gitattributes"))).toBe(false);
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
    runBin(repo, ["install", "--attributes-file", "info"]);
    const r = runBin(repo, ["uninstall"]);
    expect(r.status).toBe(0);
    expect(configFile(repo)).toBe(config);
    expect(repo.read(".gitattributes")).toBe("*.png binary\n");
    expect(existsSync(join(repo.dir, ".git", "info", "attributes"))).toBe(false);
    expect(runBin(repo, ["uninstall"]).stdout).toMatch(/nothing installed/);
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

  it("recognises install's values whatever the node and package paths were", () => {
    expect(isOurValue("merge.statefile.driver", `'/opt/node18/bin/node' '/home/a/.npm/statefile-merge/bin/statefile-merge.js' merge ${ARGS}`)).toBe(true);
    expect(isOurValue("merge.statefile.driver", `mergiraf merge ${ARGS}`)).toBe(false);
    expect(isOurValue("diff.statefile.command", "'/n' '/x/statefile-merge.js' git-diff")).toBe(true);
    expect(isOurValue("merge.statefile.recursive", "binary")).toBe(false);
  });
});
