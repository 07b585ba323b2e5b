// Two deployments with one name, through a real `git merge` with the driver installed, then
// `statefile-merge conflicts` and `resolve`, or an editor keeping both blocks.

import { describe, expect, it } from "vitest";
import { parseJson } from "../../src/formats/parseJson";
import { isObject, type JsonObject } from "../../src/core/values";
import { State, fixtureText } from "../support/fixtures";
import type { TempRepo } from "../support/gitRepo";
import { addDeployment } from "../support/deployments";
import { FILE, branchWith, commitOnMain, hunks, installedRepoCopies, runBin } from "../support/flowRepo";

const FIXTURE = "hetzner-hcloud-multitenant";
const OURS_NEW = "3f0c9a12-0000-4000-8000-00000000a001";
const THEIRS_NEW = "c71e55d0-0000-4000-8000-00000000b002";
const newRepo = installedRepoCopies();

/** main: the fixture, then ours' change; branch `teammate`: theirs' change; then `git merge teammate`. */
function mergeOf(ours: State, theirs: State): { repo: TempRepo; status: number; stderr: string } {
  const repo = newRepo();
  commitOnMain(repo, fixtureText(FIXTURE), "hetzner state");
  branchWith(repo, "teammate", theirs.text(), "nixops create -d tenant-new (teammate)");
  commitOnMain(repo, ours.text(), "nixops create -d tenant-new");
  const r = repo.tryGit("merge", "--no-edit", "teammate");
  return { repo, status: r.status, stderr: r.stderr };
}

/** Deployment UUIDs by name in the file. */
function uuidsNamed(text: string, name: string): string[] {
  const doc = parseJson(text).value as JsonObject;
  return [...doc].filter(([, d]) => isObject(d) && d.get("name") === name).map(([uuid]) => uuid);
}

/** The file with its conflict blocks settled by hand, block after block, to the sides given. */
function takeBlocks(text: string, sides: Array<"ours" | "theirs">): string {
  const out: string[] = [];
  let part: "out" | "ours" | "theirs" = "out";
  let block = -1;
  for (const line of text.split("\n")) {
    if (line.startsWith("<<<<<<< ")) [part, block] = ["ours", block + 1];
    else if (line === "=======" && part === "ours") part = "theirs";
    else if (line.startsWith(">>>>>>> ")) part = "out";
    else if (part === "out" || part === sides[block]) out.push(line);
  }
  return out.join("\n");
}

describe("git merge: two branches create a deployment with one name", () => {
  const ours = () => addDeployment(State.fixture(FIXTURE), OURS_NEW, "tenant-new", "tenant-acme");
  const theirs = () => addDeployment(State.fixture(FIXTURE), THEIRS_NEW, "tenant-new", "tenant-globex");

  it("stops with a duplicate-name conflict naming both UUIDs, listed by `conflicts`", () => {
    const m = mergeOf(ours(), theirs());
    expect(m.status, m.stderr).toBe(1);
    expect(m.repo.unmerged()).toEqual([FILE]);
    const lines = m.stderr.split("\n").filter((l) => l.includes("CONFLICT (duplicate-name"));
    expect(lines).toHaveLength(2);
    for (const line of lines) {
      expect(line).toContain(OURS_NEW);
      expect(line).toContain(THEIRS_NEW);
    }
    const text = m.repo.read(FILE);
    expect(hunks(text).length).toBeGreaterThan(0);

    const listed = runBin(m.repo, ["conflicts", "--json"]);
    const report = JSON.parse(listed.stdout) as { files: Array<{ conflicts: Array<{ kind: string; path: string[]; sameNameAs: string[][] }> }> } | Array<{ conflicts: Array<{ kind: string; path: string[]; sameNameAs: string[][] }> }>;
    const files = Array.isArray(report) ? report : report.files;
    const kinds = files.flatMap((f) => f.conflicts.map((c) => [c.kind, c.path[0], c.sameNameAs[0][0]]));
    expect(kinds.sort()).toEqual([
      ["duplicate-name", OURS_NEW, THEIRS_NEW],
      ["duplicate-name", THEIRS_NEW, OURS_NEW],
    ]);
  });

  for (const [side, kept, dropped] of [
    ["ours", OURS_NEW, THEIRS_NEW],
    ["theirs", THEIRS_NEW, OURS_NEW],
  ] as const) {
    it(`resolve --${side} keeps ${side}' deployment only, and the merge commits`, () => {
      const m = mergeOf(ours(), theirs());
      const r = runBin(m.repo, ["resolve", FILE, `--${side}`, "--add"]);
      expect(r.status, r.stderr).toBe(0);
      const text = m.repo.read(FILE);
      expect(hunks(text)).toEqual([]);
      expect(uuidsNamed(text, "tenant-new")).toEqual([kept]);
      expect(text).not.toContain(dropped);
      m.repo.git("commit", "--no-edit", "-q");
      expect(m.repo.git("status", "--porcelain")).toBe("");
    });
  }

  it("a selector by name matches both deployments and is refused; by UUID it settles one", () => {
    const m = mergeOf(ours(), theirs());
    const byName = runBin(m.repo, ["resolve", FILE, "tenant-new", "--theirs"]);
    expect(byName.status).toBe(2);
    expect(byName.stderr).toContain(OURS_NEW);
    expect(byName.stderr).toContain(THEIRS_NEW);
    const one = runBin(m.repo, ["resolve", FILE, OURS_NEW, "--theirs"]);
    expect(one.status, one.stderr).toBe(1);
    expect(one.stderr).toContain("settled 1 conflict(s) to theirs; 1 remain");
    expect(m.repo.read(FILE)).not.toContain(`"${OURS_NEW}": {`);
    const rest = runBin(m.repo, ["resolve", FILE, "--theirs", "--add"]);
    expect(rest.status, rest.stderr).toBe(0);
    expect(uuidsNamed(m.repo.read(FILE), "tenant-new")).toEqual([THEIRS_NEW]);
  });

  it("taking each block's new deployment by hand keeps both deployments; `conflicts` then lists none open", () => {
    const m = mergeOf(ours(), theirs());
    const text = m.repo.read(FILE);
    // Ours' new deployment sorts before theirs': the first block holds it in ours, the second in theirs.
    expect(hunks(text)).toHaveLength(2);
    const both = takeBlocks(text, ["ours", "theirs"]);
    m.repo.write(FILE, both);
    expect(uuidsNamed(both, "tenant-new").sort()).toEqual([OURS_NEW, THEIRS_NEW].sort());
    const listed = runBin(m.repo, ["conflicts"]);
    expect(listed.stdout).not.toContain("CONFLICT");
    m.repo.git("add", FILE);
    m.repo.git("commit", "--no-edit", "-q");
    expect(uuidsNamed(m.repo.read(FILE), "tenant-new").sort()).toEqual([OURS_NEW, THEIRS_NEW].sort());
  });
});

describe("git merge: ours creates a deployment under the name theirs gives an existing one", () => {
  it("is a duplicate-name conflict naming both UUIDs; resolve --ours keeps ours' new deployment and the old name", () => {
    const acme = State.fixture(FIXTURE).uuid("tenant-acme");
    const ours = addDeployment(State.fixture(FIXTURE), OURS_NEW, "tenant-new", "tenant-globex");
    const theirs = State.fixture(FIXTURE).set("tenant-acme", null, "name", "tenant-new");
    const m = mergeOf(ours, theirs);
    expect(m.status, m.stderr).toBe(1);
    const lines = m.stderr.split("\n").filter((l) => l.includes("CONFLICT (duplicate-name"));
    expect(lines).toHaveLength(2);
    for (const line of lines) {
      expect(line).toContain(OURS_NEW);
      expect(line).toContain(acme);
    }
    const r = runBin(m.repo, ["resolve", FILE, "--ours", "--add"]);
    expect(r.status, r.stderr).toBe(0);
    const text = m.repo.read(FILE);
    expect(uuidsNamed(text, "tenant-new")).toEqual([OURS_NEW]);
    expect(uuidsNamed(text, "tenant-acme")).toEqual([acme]);
  });
});
