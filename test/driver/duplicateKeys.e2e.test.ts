// The vanished machine, through a real `git merge` with the driver installed: ours deletes
// deployment tenant-globex, theirs holds resource globex-web twice in it (two machines under
// one key after a bad hand merge). The merge must stop with both machines in the file.

import { describe, expect, it } from "vitest";
import { parseJson } from "../../src/formats/parseJson";
import { State, fixtureText } from "../support/fixtures";
import { duplicateRecord } from "../support/duplicateKeys";
import { FILE, branchWith, commitOnMain, hunks, installedRepoCopies, pickAll, runBin } from "../support/flowRepo";

const FIXTURE = "hetzner-hcloud-multitenant";
const newRepo = installedRepoCopies();

describe("git merge: a resource written twice in a deployment the other side deleted", () => {
  it("stops with a duplicate conflict naming the deployment; theirs' block holds both machines", () => {
    const base = fixtureText(FIXTURE);
    const s = State.fixture(FIXTURE);
    const globex = s.uuid("tenant-globex");
    const machine = s.get("tenant-globex", "globex-web", "vmId")!;
    // The copy the parser would drop: written first (so the first vmId line is its own), with its own cloud id.
    const theirs = duplicateRecord(base, [globex, "resources", "globex-web"], "second globex-web", "before").replace(`"vmId": "${machine}"`, '"vmId": "88888888"');
    expect(parseJson(theirs).duplicates.map((d) => d.path)).toEqual([[globex, "resources", "globex-web"]]);
    s.doc.delete(globex);

    const repo = newRepo();
    commitOnMain(repo, base, "hetzner state");
    branchWith(repo, "hand-merge", theirs, "a bad hand merge");
    commitOnMain(repo, s.text(), "nixops delete -d tenant-globex");
    const r = repo.tryGit("merge", "--no-edit", "hand-merge");

    expect(r.status, r.stderr).toBe(1);
    expect(repo.unmerged()).toEqual([FILE]);
    expect(r.stderr).toMatch(new RegExp(`CONFLICT \\(duplicate, .*\\) in deployment tenant-globex \\(${globex}\\): ours deleted it`));
    const text = repo.read(FILE);
    expect(hunks(text)).toHaveLength(1);
    // Both machines are in the file: the copy's cloud id and the original's.
    expect(text).toContain('"vmId": "88888888"');
    expect(text).toContain(`"vmId": "${machine}"`);
    expect(parseJson(pickAll(text, "theirs")).duplicates.map((d) => d.path)).toEqual([[globex, "resources", "globex-web"]]);
    expect(pickAll(text, "ours")).not.toContain(globex);

    const listed = runBin(repo, ["conflicts"]);
    expect(listed.stdout + listed.stderr).toContain("duplicate");

    // No side can be taken without dropping a machine: resolve leaves it, or refuses when named.
    const all = runBin(repo, ["resolve", FILE, "--ours"]);
    expect(all.status, all.stderr).toBe(1);
    expect(all.stderr).toContain("settled 0 conflict(s) to ours; 1 remain");
    const named = runBin(repo, ["resolve", FILE, "tenant-globex", "--theirs"]);
    expect(named.status).toBe(2);
    expect(named.stderr).toContain("holds a key written twice");
    const after = repo.read(FILE);
    expect(after).toContain('"vmId": "88888888"');
    expect(after).toContain(`"vmId": "${machine}"`);
  });
});
