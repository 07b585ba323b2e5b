import { describe, expect, it } from "vitest";
import { fixtureText, State } from "../support/fixtures";
import { TempRepo } from "../support/gitRepo";
import { cli, secretsIn } from "../support/review";

function as(repo: TempRepo, name: string, date: string): void {
  repo.env.GIT_AUTHOR_NAME = name;
  repo.env.GIT_AUTHOR_DATE = date;
  repo.env.GIT_COMMITTER_DATE = date;
}

/** Alice creates the state, Bob deploys, Alice stops lb1; a commit touching no state file between. */
function history(): TempRepo {
  const repo = TempRepo.create();
  as(repo, "Alice", "2024-03-01T10:00:00Z");
  repo.write("prod.nixops.json", fixtureText("ec2-prod-5machines")).commit("create prod");
  as(repo, "Bob", "2024-03-02T11:30:00Z");
  repo.write("prod.nixops.json", fixtureText("ec2-prod-after-teammate-deploy")).commit("bob deploys");
  as(repo, "Carol", "2024-03-03T09:00:00Z");
  repo.write("README", "docs\n").commit("docs only");
  as(repo, "Alice", "2024-03-04T16:45:00Z");
  const stopped = State.fixture("ec2-prod-after-teammate-deploy").set("prod", "lb1", "state", "5");
  repo.write("prod.nixops.json", stopped.text()).commit("stop lb1");
  return repo;
}

describe("statefile-merge log", () => {
  it("a revision git does not know: git's reason without its 'fatal:', and what to give, exit 2", () => {
    const repo = TempRepo.create();
    repo.write("prod.nixops.json", fixtureText("ec2-prod-5machines")).commit("create prod");
    const r = cli(repo, "log", "no-such-branch");
    expect(r.status).toBe(2);
    expect(r.stderr).toBe("statefile-merge log: bad revision 'no-such-branch'; give revisions as git log takes them (main, main~10..main), and files after --\n");
  });

  it("one line per commit that touched a state file: hash, date, author, what it deployed", () => {
    const repo = history();
    const r = cli(repo, "log");
    expect(r.status).toBe(0);
    const shorts = repo.git("log", "--format=%h", "--", "prod.nixops.json").trim().split("\n");
    expect(r.stdout.trim().split("\n")).toEqual([
      `${shorts[0]} 2024-03-04 16:45 Alice  stopped lb1`,
      `${shorts[1]} 2024-03-02 11:30 Bob  deployed app1, app2, db1, lb1, lb2; re-created app2; added app3`,
      `${shorts[2]} 2024-03-01 10:00 Alice  created deployment prod`,
    ]);
    expect(secretsIn(r.stdout)).toEqual([]);
  });

  it("takes a revision range and -- FILE, and --json", () => {
    const repo = history();
    const ranged = cli(repo, "log", "HEAD~3..HEAD~1", "--", "prod.nixops.json");
    expect(ranged.stdout).toMatch(/^[0-9a-f]+ 2024-03-02 11:30 Bob {2}deployed /);
    expect(ranged.stdout.trim().split("\n")).toHaveLength(1);
    const doc = JSON.parse(cli(repo, "log", "--json", "-n", "2").stdout) as Array<{ author: string; changes: Array<{ path: string; summary: string }> }>;
    expect(doc.map((c) => c.author)).toEqual(["Alice"]);
    expect(doc[0].changes).toEqual([{ path: "prod.nixops.json", summary: "stopped lb1" }]);
    const bad = cli(repo, "log", "no-such-rev..HEAD");
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/statefile-merge log: .*no-such-rev/);
  });

  it("names the file when several state files change", () => {
    const repo = history();
    repo.write("dev.nixops.json", fixtureText("vbox-none-2machines")).commit("dev");
    const lines = cli(repo, "log").stdout.trim().split("\n");
    expect(lines[0]).toMatch(/ {2}dev\.nixops\.json: created deployment dev$/);
    expect(lines[1]).toMatch(/ {2}prod\.nixops\.json: stopped lb1$/);
  });
});
