// `statefile-merge verify` on real repositories: merges the driver made pass, merges a forge
// made (the driver switched off) or a person made badly fail with commit, file and record,
// and `verify --pr` tells before the merge button is pressed.

import { describe, expect, it } from "vitest";
import { mkdirSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { State } from "../support/fixtures";
import { TempRepo } from "../support/gitRepo";
import { forgeMerge } from "../support/forgeMerge";
import { TfState } from "../support/tfstate";
import { cli, secretsIn } from "../support/review";

const FILE = "prod.nixops.json";
const base = () => State.fixture("ec2-prod-5machines");
/** Bob's real deploy: re-creates app2, adds app3, new configsPath everywhere. */
const bobsDeploy = () => State.fixture("ec2-prod-after-teammate-deploy");
/** Alice changes the old app2 a few lines away from what Bob's deploy rewrites. */
const alicesApp2 = () => base().set("prod", "app2", "ec2.instanceType", "m5.xlarge");
/** Alice changes db1 only: nothing Bob touched. */
const alicesDb1 = () => base().set("prod", "db1", "ec2.instanceType", "r5.large");

function installedRepo(): TempRepo {
  const repo = TempRepo.create();
  const r = cli(repo, "install", "--attributes");
  if (r.status !== 0) throw new Error(r.stderr);
  repo.write(FILE, base().text()).commit("Deploy prod: 5 machines");
  return repo;
}

/** Bob's branch from main, and Alice's change on main. */
function twoDeploys(repo: TempRepo, alice: State, bob: State = bobsDeploy()): void {
  repo.git("checkout", "-q", "-b", "bob");
  repo.write(FILE, bob.text()).commit("Bob deploys prod", FILE);
  repo.git("checkout", "-q", "main");
  repo.write(FILE, alice.text()).commit("Alice deploys prod", FILE);
}

const short = (repo: TempRepo, rev: string) => repo.git("rev-parse", "--short=12", rev).trim();

describe("a state file one side renamed (merged under its new path, as Git follows renames)", () => {
  /** Main renames the file; Bob changes db1 in it under the old name. */
  function renamedOnMain(): TempRepo {
    const repo = installedRepo();
    repo.git("checkout", "-q", "-b", "bob");
    repo.write(FILE, alicesDb1().text()).commit("Bob deploys db1", FILE);
    repo.git("checkout", "-q", "main");
    repo.git("mv", FILE, "renamed.nixops.json");
    repo.git("commit", "-q", "-m", "Rename the state file");
    return repo;
  }

  it("verify --pr and verify pass the merge that keeps Bob's change under the new name", () => {
    const repo = renamedOnMain();
    const pr = cli(repo, "verify", "--pr", "main", "bob");
    expect(pr.stdout).toContain(`ok   ${FILE}: the forge's line merge and the driver agree`);
    expect(pr.status).toBe(0);
    repo.git("merge", "-q", "--no-edit", "bob");
    expect(repo.read("renamed.nixops.json")).toBe(alicesDb1().text());
    const r = cli(repo, "verify");
    expect(r.stdout).toMatch(/^ok   \S+ renamed\.nixops\.json /m);
    expect(r.stdout).toMatch(/1 touched state files: 1 pass, 0 fail, 0 unverifiable\n$/);
    expect(r.status).toBe(0);
  });

  it("verify fails a merge that dropped Bob's change under the new name", () => {
    const repo = renamedOnMain();
    repo.tryGit("merge", "-q", "--no-commit", "bob");
    repo.write("renamed.nixops.json", base().text()).commit("Merge bob, losing his change", "renamed.nixops.json");
    const r = cli(repo, "verify");
    expect(r.status).toBe(1);
    expect(r.stdout).toMatch(/^FAIL \S+ renamed\.nixops\.json /m);
    expect(r.stdout).toMatch(/resource db1, attribute ec2\.instanceType/);
  });
});

describe("statefile-merge verify (history)", () => {
  it("a merge that kept theirs' file over ours' change inside embedded JSON is a lost update, not a value neither side had", () => {
    const repo = installedRepo();
    twoDeploys(repo, base().setInner("prod", "app1", "ec2.tags", ["Team"], "ops"), base().set("prod", "app2", "state", "1"));
    repo.tryGit("merge", "-q", "--no-commit", "bob");
    repo.write(FILE, base().set("prod", "app2", "state", "1").text()).commit("Merge bob, keeping his file", FILE);
    const json = JSON.parse(cli(repo, "verify", "--json").stdout) as { merges: Array<{ files: Array<{ findings: Array<{ kind: string; path: string[] }> }> }> };
    expect(json.merges[0].files[0].findings.map((f) => [f.kind, f.path.slice(2)])).toEqual([["lost-update", ["app1", "ec2.tags", "Team"]]]);
  });

  it("counts files, not merges, in its summary: a merge of two state files, one merged badly", () => {
    const repo = installedRepo();
    repo.write("other.nixops.json", base().text()).commit("Deploy other");
    repo.git("checkout", "-q", "-b", "bob");
    repo.write(FILE, bobsDeploy().text()).write("other.nixops.json", bobsDeploy().text()).commit("Bob deploys both");
    repo.git("checkout", "-q", "main");
    repo.write(FILE, alicesDb1().text()).write("other.nixops.json", alicesDb1().text()).commit("Alice deploys both");
    repo.git("merge", "-q", "--no-edit", "bob");
    repo.write("other.nixops.json", bobsDeploy().text());
    repo.git("commit", "-q", "--amend", "-a", "--no-edit");
    const r = cli(repo, "verify");
    expect(r.stdout).toMatch(/^ok   \S+ prod\.nixops\.json /m);
    expect(r.stdout).toMatch(/^FAIL \S+ other\.nixops\.json /m);
    expect(r.stdout).toMatch(/verify: 1 merge commit\(s\), 2 touched state files: 1 pass, 1 fail, 0 unverifiable\n$/);
  });

  it("passes a merge the driver made", () => {
    const repo = installedRepo();
    twoDeploys(repo, alicesDb1());
    repo.git("merge", "--no-edit", "bob");
    const r = cli(repo, "verify");
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    expect(r.stdout).toContain(`ok   ${short(repo, "HEAD")} ${FILE}  (Merge branch 'bob'; ours ${short(repo, "HEAD^1").slice(0, 8)}, theirs ${short(repo, "bob").slice(0, 8)})`);
    expect(r.stdout).toMatch(/verify: 1 merge commit\(s\), 1 touched state files: 1 pass, 0 fail, 0 unverifiable\n$/);
  });

  it("fails a forge's clean line merge that stitched two machines, naming commit, file and record", () => {
    const repo = installedRepo();
    twoDeploys(repo, alicesApp2());
    forgeMerge(repo, "bob");
    const r = cli(repo, "verify");
    expect(r.status).toBe(1);
    expect(r.stdout).toContain(`FAIL ${short(repo, "HEAD")} ${FILE}  (Merge pull request: bob; ours ${short(repo, "HEAD^1").slice(0, 8)}, theirs ${short(repo, "bob").slice(0, 8)})`);
    expect(r.stdout).toMatch(/deployment prod \([0-9a-f-]+\), resource app2: stitched: identity \(creationTime, vmId\) from theirs, ec2\.instanceType from ours/);
    expect(secretsIn(r.stdout)).toEqual([]);

    const json = JSON.parse(cli(repo, "verify", "--json").stdout) as { ok: boolean; merges: Array<{ commit: string; files: Array<{ path: string; findings: Array<{ kind: string; path: string[] }> }> }> };
    expect(json.ok).toBe(false);
    expect(json.merges[0].commit).toBe(repo.git("rev-parse", "HEAD").trim());
    expect(json.merges[0].files[0].findings.map((f) => [f.kind, f.path.slice(1)])).toEqual([["stitched", ["resources", "app2"]]]);
    // A range that leaves the bad merge out passes.
    expect(cli(repo, "verify", "HEAD^1").status).toBe(0);
  });

  it("passes a hand resolution that takes one side of a true conflict, fails one that drops a teammate's deploy", () => {
    const repo = installedRepo();
    twoDeploys(repo, alicesApp2());
    expect(repo.tryGit("merge", "bob").status).toBe(1); // app2: re-created by Bob, changed by Alice
    repo.git("checkout", "--theirs", FILE);
    repo.commit("Merge bob, keeping Bob's new app2", FILE);
    expect(cli(repo, "verify").status).toBe(0);

    repo.git("reset", "-q", "--hard", "HEAD^1");
    expect(repo.tryGit("merge", "bob").status).toBe(1);
    repo.git("checkout", "--ours", FILE); // all of Alice's file: Bob's app3 is gone
    repo.commit("Merge bob, keeping mine", FILE);
    const r = cli(repo, "verify");
    expect(r.status).toBe(1);
    expect(r.stdout).toMatch(/resource app3: lost update: theirs added a record of \d+ attributes.*; the result does not have it/);
    expect(r.stdout).not.toMatch(/resource app2/); // settled to ours: a true conflict, allowed
  });

  it("finds state files by content when no attribute names them", () => {
    const repo = TempRepo.create(); // no install: the forge's view of the repository
    repo.write("network.json", base().text()).commit("state");
    repo.git("checkout", "-q", "-b", "bob");
    repo.write("network.json", bobsDeploy().text()).commit("bob");
    repo.git("checkout", "-q", "main");
    repo.write("network.json", alicesApp2().text()).commit("alice");
    repo.git("merge", "--no-edit", "bob");
    const r = cli(repo, "verify");
    expect(r.status).toBe(1);
    expect(r.stdout).toMatch(/FAIL [0-9a-f]{12} network\.json/);
    expect(r.stdout).toMatch(/resource app2: stitched/);
  });

  it("finds a Terraform state by content: a line merge of an apply and a hand edit keeps a serial no push accepts", () => {
    const repo = TempRepo.create(); // no install: the forge's view of the repository
    const state = TfState.fixture("aws-modules-count-tf1.4.6");
    repo.write("terraform.tfstate", state.text()).commit("state");
    repo.git("checkout", "-q", "-b", "bob");
    repo.write("terraform.tfstate", state.clone().setOutput("instance_ip_address", "198.51.100.7").text()).commit("bob edits an output by hand");
    repo.git("checkout", "-q", "main");
    repo.write("terraform.tfstate", state.clone().applied().setAttribute("module.vpc.aws_eip.nat", 0, "domain", "standard").text()).commit("alice applies");
    repo.git("merge", "--no-edit", "bob");
    const r = cli(repo, "verify");
    expect(r.status, r.stdout + r.stderr).toBe(1);
    expect(r.stdout).toMatch(/FAIL [0-9a-f]{12} terraform\.tfstate/);
    expect(r.stdout).toMatch(/serial/);
  });

  it("reports an octopus merge that touches a state file as unverifiable, never as passing", () => {
    const repo = installedRepo();
    repo.git("checkout", "-q", "-b", "one");
    repo.write(FILE, alicesDb1().text()).commit("one", FILE);
    repo.git("checkout", "-q", "-b", "two", "main");
    repo.write("README", "docs\n").commit("two", "README");
    repo.git("checkout", "-q", "main");
    repo.write("NOTES", "notes\n").commit("three", "NOTES");
    repo.git("merge", "--no-edit", "one", "two");
    const r = cli(repo, "verify");
    expect(r.status).toBe(1);
    expect(r.stdout).toMatch(/UNVERIFIABLE [0-9a-f]{12} prod\.nixops\.json/);
    expect(r.stdout).toMatch(/an octopus merge of 3 parents/);
  });

  /**
   * A criss-cross history, then X changes app1 (under `xFile`: a rename when it differs from
   * FILE) and Y changes db1 under FILE; x merges y with the driver. Verify passes it, and
   * fails the same merge with db1's change dropped.
   */
  function crissCrossVerified(xFile: string): void {
    const repo = installedRepo();
    const x1 = base().set("prod", "app1", "toplevel", "/nix/store/0000000000000000000000000000ours-nixos-system-app1");
    const y1 = base().set("prod", "app1", "toplevel", "/nix/store/00000000000000000000000000theirs-nixos-system-app1");
    repo.crissCross(FILE, x1.text(), y1.text(), x1.text());
    if (xFile !== FILE) repo.git("mv", FILE, xFile);
    const x3 = x1.clone().set("prod", "app1", "publicIpv4", "203.0.113.10");
    repo.write(xFile, x3.text()).commit("X3", xFile);
    repo.git("checkout", "-q", "y");
    repo.write(FILE, x1.clone().set("prod", "db1", "state", "5").text()).commit("Y3", FILE);
    repo.git("checkout", "-q", "x");
    expect(repo.git("merge-base", "--all", "x", "y").trim().split("\n")).toHaveLength(2);
    repo.git("merge", "--no-edit", "y");
    expect(repo.read(xFile)).toBe(x3.clone().set("prod", "db1", "state", "5").text());
    const r = cli(repo, "verify");
    expect(r.stdout).toContain(`${xFile}  (Merge branch 'y' into x`);
    expect(r.stdout).toMatch(/verify: 3 merge commit\(s\), 3 touched state files: 3 pass, 0 fail, 0 unverifiable/);
    expect(r.status).toBe(0);

    // The same criss-cross merge with db1's change dropped is caught.
    repo.write(xFile, x3.text());
    repo.git("commit", "-q", "--amend", "-a", "--no-edit");
    const bad = cli(repo, "verify");
    expect(bad.status).toBe(1);
    expect(bad.stdout).toMatch(/resource db1, attribute state: lost update: theirs changed it/);
  }

  it("verifies a criss-cross merge against the virtual base the driver builds", () => {
    crissCrossVerified(FILE);
  });

  it("follows a state file one side renamed in a criss-cross merge, as Git's merge does", () => {
    crissCrossVerified("renamed.nixops.json");
  });

  it("verify --pr follows a state file one side renamed in a criss-cross history, on either side", () => {
    const repo = installedRepo();
    const x1 = base().set("prod", "app1", "toplevel", "/nix/store/0000000000000000000000000000ours-nixos-system-app1");
    const y1 = base().set("prod", "app1", "toplevel", "/nix/store/00000000000000000000000000theirs-nixos-system-app1");
    repo.crissCross(FILE, x1.text(), y1.text(), x1.text());
    repo.git("mv", FILE, "renamed.nixops.json");
    repo.write("renamed.nixops.json", x1.clone().set("prod", "app1", "publicIpv4", "203.0.113.10").text()).commit("X3: rename", "renamed.nixops.json");
    repo.git("checkout", "-q", "y");
    repo.write(FILE, x1.clone().set("prod", "db1", "state", "5").text()).commit("Y3", FILE);
    expect(repo.git("merge-base", "--all", "x", "y").trim().split("\n")).toHaveLength(2);
    // Head renamed it, then target: both times one file, checked under the name the bases hold.
    for (const [target, head] of [["y", "x"], ["x", "y"]]) {
      const r = cli(repo, "verify", "--pr", target, head);
      expect(r.stdout).toContain(`ok   ${FILE}: the forge's line merge and the driver agree`);
      expect(r.stdout).not.toContain("renamed.nixops.json");
      expect(r.status).toBe(0);
    }
    // Both changed app1's address: a true conflict, found through the rename too.
    repo.write(FILE, x1.clone().set("prod", "app1", "publicIpv4", "203.0.113.99").text()).commit("Y4", FILE);
    const conflicted = cli(repo, "verify", "--pr", "x", "y");
    expect(conflicted.stdout).toMatch(new RegExp(`^FAIL ${FILE}: there are true conflicts \\(.*resource app1, attribute publicIpv4`, "m"));
    expect(conflicted.status).toBe(1);
  });

  it("a renamed state file whose merge bases disagree on whether it exists is unverifiable, not a failure", () => {
    const repo = TempRepo.create();
    expect(cli(repo, "install", "--attributes").status).toBe(0);
    repo.write("NOTES", "n\n").commit("init", "NOTES");
    // Only Y1 creates the state file: the first merge base has none.
    repo.crissCross("NOTES", "x\n", "y\n", "x\n");
    repo.git("checkout", "-q", "y");
    repo.write(FILE, base().text()).commit("Y2': add the state file", FILE);
    repo.git("checkout", "-q", "x");
    repo.git("merge", "-q", "--no-edit", "y");
    repo.git("checkout", "-q", "-b", "z", "y");
    repo.git("merge", "-q", "--no-edit", "x~1");
    repo.git("checkout", "-q", "x");
    expect(repo.git("merge-base", "--all", "x", "z").trim().split("\n")).toHaveLength(2);
    repo.git("mv", FILE, "renamed.nixops.json");
    repo.write("renamed.nixops.json", base().set("prod", "app1", "publicIpv4", "203.0.113.10").text()).commit("X3: rename", "renamed.nixops.json");
    repo.git("checkout", "-q", "z");
    repo.write(FILE, base().set("prod", "db1", "state", "5").text()).commit("Z3", FILE);
    repo.git("checkout", "-q", "x");
    repo.git("merge", "--no-edit", "z");
    expect(repo.read("renamed.nixops.json")).toBe(base().set("prod", "app1", "publicIpv4", "203.0.113.10").set("prod", "db1", "state", "5").text());
    const r = cli(repo, "verify", "HEAD^1..HEAD");
    expect(r.stdout).not.toMatch(/^FAIL/m);
    expect(r.stdout).toMatch(/^UNVERIFIABLE \S+ renamed\.nixops\.json /m);
  });

  it("reports a merge with three merge bases that disagree on the file as unverifiable", () => {
    const repo = installedRepo();
    const changes: Array<[string, string, string]> = [["a", "app1", "from a"], ["b", "db1", "from b"], ["c", "lb1", "from c"]];
    for (const [branch, resource, note] of changes) {
      repo.git("checkout", "-q", "-b", branch, "main");
      repo.write(FILE, base().set("prod", resource, "note", note).text()).commit(branch, FILE);
    }
    repo.git("checkout", "-q", "-b", "x", "a");
    repo.git("merge", "-q", "--no-edit", "b", "c");
    repo.git("checkout", "-q", "-b", "y", "b");
    repo.git("merge", "-q", "--no-edit", "a", "c");
    repo.write(FILE, State.fixture("ec2-prod-5machines").set("prod", "app1", "note", "from a").set("prod", "db1", "note", "from b").set("prod", "lb1", "note", "from c").set("prod", "app2", "note", "from y").text()).commit("y", FILE);
    repo.git("checkout", "-q", "x");
    expect(repo.git("merge-base", "--all", "x", "y").trim().split("\n")).toHaveLength(3);
    repo.git("merge", "-q", "--no-edit", "y");
    const r = cli(repo, "verify", "x^1..x");
    expect(r.status).toBe(1);
    expect(r.stdout).toMatch(/^UNVERIFIABLE [0-9a-f]{12} prod\.nixops\.json  \(Merge branch 'y' into x; .*\n {5}3 merge bases hold different versions of the file \(criss-cross history\)$/m);
    expect(r.stdout).toMatch(/an octopus merge of 3 parents/); // y itself
    expect(r.stdout).toMatch(/2 merge commit\(s\), 2 touched state files: 0 pass, 0 fail, 2 unverifiable/);
  });

  it("exits 2 on usage and repository errors, with one line saying what to do", () => {
    const repo = installedRepo();
    const range = cli(repo, "verify", "no-such-branch..HEAD");
    expect(range.status).toBe(2);
    expect(range.stderr).toBe("statefile-merge verify: bad revision 'no-such-branch..HEAD'; give revisions as git rev-list takes them (main, v1..main)\n");
    const pr = cli(repo, "verify", "--pr", "main");
    expect(pr.status).toBe(2);
    expect(pr.stderr).toBe("statefile-merge verify: --pr takes two revisions: <target> <head> (e.g. origin/main HEAD)\n");
    const missing = cli(repo, "verify", "--pr", "main", "nope");
    expect(missing.status).toBe(2);
    expect(missing.stderr).toBe('statefile-merge verify: "nope" is not a commit in this repository\n');
    const shallow = new TempRepo(join(mkdtempSync(join(tmpdir(), "statefile-merge-shallow-")), "repo"));
    mkdirSync(shallow.dir);
    shallow.git("clone", "-q", "--depth", "1", `file://${repo.dir}`, ".");
    const cut = cli(shallow, "verify");
    expect(cut.status).toBe(2);
    expect(cut.stderr).toMatch(/^statefile-merge verify: this clone is shallow: fetch the whole history first/);
    const outside = new TempRepo(join(mkdtempSync(join(tmpdir(), "statefile-merge-norepo-")), "plain"));
    mkdirSync(outside.dir);
    const out = cli(outside, "verify");
    expect(out.status).toBe(2);
    expect(out.stderr).toMatch(/not inside a Git work tree/);
  });
});

describe("statefile-merge verify --pr", () => {
  it("exits 0 when the forge's line merge equals the driver's", () => {
    const repo = installedRepo();
    twoDeploys(repo, alicesDb1(), base().set("prod", "lb1", "state", "5"));
    const r = cli(repo, "verify", "--pr", "main", "bob");
    expect(r.stdout).toContain(`ok   ${FILE}: the forge's line merge and the driver agree`);
    expect(r.status).toBe(0);
  });

  it("exits 1 when the forge would merge cleanly but wrongly, per record", () => {
    const repo = installedRepo();
    twoDeploys(repo, alicesApp2());
    const r = cli(repo, "verify", "--pr", "main", "bob");
    expect(r.status).toBe(1);
    expect(r.stdout).toMatch(/^FAIL prod\.nixops\.json: the forge would merge this cleanly but wrongly \(stitched app2\); there are true conflicts \(deployment prod \([0-9a-f-]+\), resource app2\): merge locally with the driver \(git merge\) and push$/m);
    expect(r.stdout).toMatch(/do not press the merge button for this pull request\n$/);
    // And the forge does exactly that.
    forgeMerge(repo, "bob");
    expect(cli(repo, "verify").status).toBe(1);
  });

  it("exits 1 naming true conflicts, and where only the forge's line merge conflicts", () => {
    const repo = installedRepo();
    twoDeploys(repo, base().set("prod", "app1", "toplevel", "/nix/store/a-alice"), base().set("prod", "app1", "toplevel", "/nix/store/b-bob"));
    const conflict = cli(repo, "verify", "--pr", "main", "bob");
    expect(conflict.status).toBe(1);
    expect(conflict.stdout).toMatch(/^FAIL prod\.nixops\.json: there are true conflicts \(deployment prod \([0-9a-f-]+\), resource app1, attribute toplevel\): merge locally/m);

    const other = installedRepo();
    // Adjacent lines of one machine: a line conflict, no true conflict.
    twoDeploys(other, base().set("prod", "app1", "publicIpv4", "203.0.113.10"), base().set("prod", "app1", "sshPinged", "0"));
    const lines = cli(other, "verify", "--pr", "main", "bob");
    expect(lines.status).toBe(1);
    expect(lines.stdout).toMatch(/^FAIL prod\.nixops\.json: the forge's line merge conflicts here, the driver merges it cleanly: merge locally/m);
  });

  it("replays a head of several commits as a rebase merge would, and agrees when it is right", () => {
    const repo = installedRepo();
    repo.git("checkout", "-q", "-b", "bob");
    const step1 = base().set("prod", "lb1", "state", "5");
    repo.write(FILE, step1.text()).commit("Bob stops lb1", FILE);
    repo.write(FILE, step1.clone().set("prod", "lb2", "state", "5").text()).commit("Bob stops lb2", FILE);
    repo.git("checkout", "-q", "main");
    repo.write(FILE, alicesDb1().text()).commit("Alice", FILE);
    const r = cli(repo, "verify", "--pr", "main", "bob", "--json");
    const json = JSON.parse(r.stdout) as { ok: boolean; files: Array<{ verdict: string; notes: string[] }> };
    expect(json.files.map((f) => f.verdict)).toEqual(["agree"]);
    expect(json.ok).toBe(true);
    expect(r.status).toBe(0);
  });
});
