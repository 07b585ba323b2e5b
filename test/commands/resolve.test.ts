import { describe, expect, it } from "vitest";
import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { State } from "../support/fixtures";
import { TempRepo } from "../support/gitRepo";
import { cli, configureDriverWithReport, secretsIn, STATE_FILE } from "../support/review";

const BASE = "ec2-prod-5machines";
const OURS_TOP = { app1: "/nix/store/ours-app1-system", db1: "/nix/store/ours-db1-system" };
const THEIRS_TOP = { app1: "/nix/store/theirs-app1-system", db1: "/nix/store/theirs-db1-system" };

/** Both branches deploy app1 and db1 (two conflicts); each also makes a change the other does not. */
function sides() {
  const base = State.fixture(BASE);
  const ours = base.clone().set("prod", "app1", "toplevel", OURS_TOP.app1).set("prod", "db1", "toplevel", OURS_TOP.db1);
  ours.set("prod", "lb1", "publicIpv4", "203.0.113.7").addResource("prod", "ours-volume", { type: "ebs-volume", "ec2.volumeId": "vol-ours", state: "3" });
  const theirs = base.clone().set("prod", "app1", "toplevel", THEIRS_TOP.app1).set("prod", "db1", "toplevel", THEIRS_TOP.db1);
  theirs.set("prod", "lb2", "publicIpv4", "203.0.113.9").remove("prod", "app2", "sshPinged");
  return { base, ours, theirs };
}

function conflictedRepo(attributes = ""): TempRepo {
  const repo = TempRepo.create();
  configureDriverWithReport(repo, join(repo.dir, "..", "report.json"));
  if (attributes) repo.write(".gitattributes", repo.read(".gitattributes") + attributes);
  const { base, ours, theirs } = sides();
  repo.write(STATE_FILE, base.text()).write("other.nixops.json", State.fixture("vbox-none-2machines").text()).commit("base");
  repo.git("checkout", "-q", "-b", "feature");
  repo.write(STATE_FILE, theirs.text()).commit("feature deploy");
  repo.git("checkout", "-q", "main");
  repo.write(STATE_FILE, ours.text()).commit("main deploy");
  expect(repo.tryGit("merge", "-q", "feature").status).toBe(1);
  return repo;
}

/** The merge everyone expects, written independently: both sides' own changes, then the chosen toplevels. */
function expected(app1: string, db1: string): string {
  const { base, ours, theirs } = sides();
  const out = base.clone();
  out.set("prod", "lb1", "publicIpv4", ours.get("prod", "lb1", "publicIpv4")!);
  out.addResource("prod", "ours-volume", { type: "ebs-volume", "ec2.volumeId": "vol-ours", state: "3" });
  out.set("prod", "lb2", "publicIpv4", theirs.get("prod", "lb2", "publicIpv4")!).remove("prod", "app2", "sshPinged");
  return out.set("prod", "app1", "toplevel", app1).set("prod", "db1", "toplevel", db1).text();
}

describe("statefile-merge resolve", () => {
  it("--ours then --theirs on disjoint selectors gives the expected file, and --add stages it", () => {
    const repo = conflictedRepo();
    const first = cli(repo, "resolve", STATE_FILE, "--ours", "prod/app1");
    expect(first.status).toBe(1);
    expect(first.stderr).toContain("settled 1 conflict(s) to ours; 1 remain");
    const between = repo.read(STATE_FILE);
    expect(between).toContain(OURS_TOP.app1);
    expect(between).not.toContain(THEIRS_TOP.app1);
    expect(between.match(/^<<<<<<< /gm)).toHaveLength(1);

    const second = cli(repo, "resolve", STATE_FILE, "--theirs", "prod/db1/toplevel", "--add");
    expect(second.status).toBe(0);
    expect(repo.read(STATE_FILE)).toBe(expected(OURS_TOP.app1, THEIRS_TOP.db1));
    expect(repo.unmerged()).toEqual([]);
    expect(repo.git("diff", "--cached", "--name-only")).toContain(STATE_FILE);
  });

  it("with no selector settles every conflict (selecting by UUID works too)", () => {
    const repo = conflictedRepo();
    const uuid = State.fixture(BASE).uuid("prod");
    expect(cli(repo, "resolve", STATE_FILE, "--theirs", `${uuid}/app1/toplevel`).status).toBe(1);
    expect(cli(repo, "resolve", STATE_FILE, "--ours").status).toBe(0);
    expect(repo.read(STATE_FILE)).toBe(expected(THEIRS_TOP.app1, OURS_TOP.db1));
    expect(repo.unmerged()).toEqual([STATE_FILE]); // no --add: still for the user to stage
  });

  it("--base takes the common ancestor's value", () => {
    const repo = conflictedRepo();
    const base = State.fixture(BASE);
    expect(cli(repo, "resolve", STATE_FILE, "--base", "prod").status).toBe(0);
    expect(repo.read(STATE_FILE)).toBe(expected(base.get("prod", "app1", "toplevel")!, base.get("prod", "db1", "toplevel")!));
  });

  it("keeps the user's marker size and labels for the conflicts it leaves", () => {
    const repo = conflictedRepo("*.nixops.json conflict-marker-size=11\n");
    expect(repo.read(STATE_FILE)).toMatch(/^<{11} HEAD$/m);
    expect(cli(repo, "resolve", STATE_FILE, "--ours", "prod/db1").status).toBe(1);
    const text = repo.read(STATE_FILE);
    expect(text.match(/^<{11} HEAD$/gm)).toHaveLength(1);
    expect(text.match(/^>{11} feature$/gm)).toHaveLength(1);
    expect(text).not.toMatch(/^<{7} /m);
  });

  it("with markers shorter than Git's 7 (conflict-marker-size=3): settles one, keeps it settled while settling the other", () => {
    const repo = conflictedRepo("*.nixops.json conflict-marker-size=3\n");
    expect(repo.read(STATE_FILE)).toMatch(/^<{3} HEAD$/m);
    expect(cli(repo, "conflicts", STATE_FILE).stdout.match(/CONFLICT/g)).toHaveLength(2);
    expect(cli(repo, "resolve", STATE_FILE, "--ours", "prod/db1").status).toBe(1);
    const left = repo.read(STATE_FILE);
    expect(left.match(/^<{3} HEAD$/gm)).toHaveLength(1);
    expect(left.match(/^>{3} feature$/gm)).toHaveLength(1);
    expect(cli(repo, "conflicts", STATE_FILE).stdout.match(/CONFLICT/g)).toHaveLength(1);
    expect(cli(repo, "resolve", STATE_FILE, "--theirs", "prod/app1").status).toBe(0);
    expect(repo.read(STATE_FILE)).toBe(expected(THEIRS_TOP.app1, OURS_TOP.db1));
  });

  it("refuses a file that is not conflicted, an unknown place, and a place inside a whole-resource conflict", () => {
    const repo = conflictedRepo();
    const notConflicted = cli(repo, "resolve", "other.nixops.json", "--ours");
    expect(notConflicted.status).toBe(2);
    expect(notConflicted.stderr).toMatch(/other\.nixops\.json is not in a conflicted state/);

    const unknown = cli(repo, "resolve", STATE_FILE, "--ours", "staging/app1");
    expect(unknown.status).toBe(2);
    expect(unknown.stderr).toMatch(/no deployment "staging".*prod \(/);
    const noConflict = cli(repo, "resolve", STATE_FILE, "--ours", "prod/lb1");
    expect(noConflict.stderr).toMatch(/prod\/lb1 .*resource lb1\) has no conflict/);
    expect(cli(repo, "resolve", STATE_FILE).stderr).toMatch(/--ours, --theirs or --base/);
  });

  it("refuses to undo a hand edit made since the merge, unless forced (keeping a backup)", () => {
    const repo = conflictedRepo();
    const before = repo.read(STATE_FILE);
    const edited = before.replace('"publicIpv4": "203.0.113.9"', '"publicIpv4": "198.51.100.1"');
    expect(edited).not.toBe(before);
    repo.write(STATE_FILE, edited);
    const refused = cli(repo, "resolve", STATE_FILE, "--ours");
    expect(refused.status).toBe(2);
    expect(refused.stderr).toMatch(/was edited at deployment prod .*resource lb2, attribute publicIpv4/);
    expect(repo.read(STATE_FILE)).toBe(edited);

    const forced = cli(repo, "resolve", STATE_FILE, "--ours", "--force");
    expect(forced.status).toBe(0);
    const backupDir = join(repo.dir, ".git", "statefile-merge", "resolve-backups", "deploy");
    expect(existsSync(backupDir)).toBe(true);
    expect(readdirSync(backupDir)).toHaveLength(1);
  });

  it("refuses a file that no longer reads as JSON (a hand edit that dropped a comma), unless forced", () => {
    const repo = conflictedRepo();
    const edited = repo.read(STATE_FILE).replace('"publicIpv4": "203.0.113.9",', '"publicIpv4": "198.51.100.1"');
    expect(edited).not.toBe(repo.read(STATE_FILE));
    repo.write(STATE_FILE, edited);
    const refused = cli(repo, "resolve", STATE_FILE, "--ours");
    expect(refused.status).toBe(2);
    expect(refused.stderr).toMatch(/no longer reads as the merge wrote it .*not valid JSON.*add --force/);
    expect(repo.read(STATE_FILE)).toBe(edited);
    const forced = cli(repo, "resolve", STATE_FILE, "--ours", "--force");
    expect(forced.status).toBe(0);
    expect(readdirSync(join(repo.dir, ".git", "statefile-merge", "resolve-backups", "deploy"))).toHaveLength(1);
  });

  it("in a linked worktree (git worktree add) keeps the --force backup in that worktree's git dir, not in the work tree", () => {
    const main = TempRepo.create();
    configureDriverWithReport(main, join(main.dir, "..", "report.json"));
    const { base, ours, theirs } = sides();
    main.write(STATE_FILE, base.text()).commit("base");
    main.git("branch", "feature");
    main.git("branch", "deploy");
    const wtDir = join(main.dir, "..", "linked");
    main.git("worktree", "add", "-q", wtDir, "deploy");
    const repo = new TempRepo(wtDir);
    repo.git("checkout", "-q", "feature");
    repo.write(STATE_FILE, theirs.text()).commit("feature deploy");
    repo.git("checkout", "-q", "deploy");
    repo.write(STATE_FILE, ours.text()).commit("deploy deploy");
    expect(repo.tryGit("merge", "-q", "feature").status).toBe(1);
    repo.write(STATE_FILE, repo.read(STATE_FILE).replace('"publicIpv4": "203.0.113.9"', '"publicIpv4": "198.51.100.1"'));

    const forced = cli(repo, "resolve", STATE_FILE, "--ours", "--force");
    expect(forced.status).toBe(0);
    const gitDir = repo.git("rev-parse", "--absolute-git-dir").trim();
    const backupDir = join(gitDir, "statefile-merge", "resolve-backups", "deploy");
    expect(readdirSync(backupDir)).toHaveLength(1);
    expect(forced.stderr).toContain(join(backupDir, readdirSync(backupDir)[0]));
    // Nothing new in the work tree: the backup is not an untracked file there.
    expect(repo.git("status", "--porcelain", "--untracked-files=all").split("\n").filter((l) => l.startsWith("??"))).toEqual([]);
  });

  it("settles a whole-resource conflict (re-created on one side, changed on the other)", () => {
    const repo = TempRepo.create();
    configureDriverWithReport(repo, join(repo.dir, "..", "report.json"));
    const base = State.fixture(BASE);
    repo.write(STATE_FILE, base.text()).commit("base");
    repo.git("checkout", "-q", "-b", "feature");
    const theirs = State.fixture("ec2-prod-after-teammate-deploy");
    repo.write(STATE_FILE, theirs.text()).commit("teammate deploy");
    repo.git("checkout", "-q", "main");
    const ours = base.clone().set("prod", "app2", "publicIpv4", "203.0.113.50");
    repo.write(STATE_FILE, ours.text()).commit("ours touches app2");
    expect(repo.tryGit("merge", "-q", "feature").status).toBe(1);
    const inside = cli(repo, "resolve", STATE_FILE, "--theirs", "prod/app2/vmId");
    expect(inside.stderr).toMatch(/lies inside a conflict over the whole of .*resource app2 \(identity\); select that instead/);
    const done = cli(repo, "resolve", STATE_FILE, "--theirs", "prod/app2", "--add");
    expect(done.status).toBe(0);
    expect(secretsIn(done.stderr + inside.stderr)).toEqual([]);
    // Theirs, except that a keys blob equal by value keeps ours' text (docs/merge-rules.md,
    // "Embedded JSON": ours' exact text wins).
    const merged = State.fixture("ec2-prod-after-teammate-deploy");
    const sorted = (text: string): string => JSON.stringify(JSON.parse(text), (_k, v: unknown) => (v && typeof v === "object" && !Array.isArray(v) ? Object.fromEntries(Object.entries(v).sort()) : v));
    for (const name of ["app1", "db1", "lb1", "lb2"]) {
      const mine = ours.get("prod", name, "keys");
      const other = merged.get("prod", name, "keys");
      if (mine && other && sorted(mine) === sorted(other)) merged.set("prod", name, "keys", mine);
    }
    expect(repo.read(STATE_FILE)).toBe(merged.text());
  });

  // Found by the verify property test (a generated history): ours re-created the deployment
  // under a new UUID with the same name, theirs changed it. The merge reports the delete/modify
  // only; taking theirs there brings out the duplicate name, which --theirs must settle too.
  it("without a selector settles to the side every conflict, also one that settling the others brings out", () => {
    const base = State.fixture(BASE);
    const recreated = base.clone();
    const deployment = recreated.clone().deployment("prod");
    recreated.doc.delete(base.uuid("prod"));
    recreated.doc.set("00000000-0000-1000-8000-000000000001", deployment);
    const changed = base.clone().set("prod", null, "description", "changed by theirs");
    for (const [side, want] of [["--theirs", changed], ["--ours", recreated]] as const) {
      const repo = TempRepo.create();
      configureDriverWithReport(repo, join(repo.dir, "..", "report.json"));
      repo.write(STATE_FILE, base.text()).commit("base");
      repo.git("checkout", "-q", "-b", "feature");
      repo.write(STATE_FILE, changed.text()).commit("feature: describe prod");
      repo.git("checkout", "-q", "main");
      repo.write(STATE_FILE, recreated.text()).commit("main: prod re-created");
      expect(repo.tryGit("merge", "-q", "feature").status).toBe(1);
      const r = cli(repo, "resolve", STATE_FILE, side, "--add");
      expect(r.status, r.stderr).toBe(0);
      expect(r.stderr).toMatch(/; 0 remain/);
      expect(repo.read(STATE_FILE)).toBe(want.text());
      expect(repo.unmerged()).toEqual([]);
    }
  });
});
