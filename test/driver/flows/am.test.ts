// `git am -3` stops with a conflict in rebase-apply/, as `git rebase --apply` does; only am
// writes rebase-apply/applying. `conflicts` must name the patch, not a rebase.

import { describe, expect, it } from "vitest";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { State } from "../../support/fixtures";
import { TempRepo } from "../../support/gitRepo";
import { cli, configureDriverWithReport, STATE_FILE } from "../../support/review";

function amConflict(): TempRepo {
  const repo = TempRepo.create();
  configureDriverWithReport(repo, join(repo.dir, "..", "report.json"));
  const base = State.fixture("ec2-prod-5machines");
  repo.write(STATE_FILE, base.text()).commit("base");
  repo.git("checkout", "-q", "-b", "feature");
  repo.write(STATE_FILE, base.clone().set("prod", "app1", "toplevel", "/nix/store/theirs-app1-system").text()).commit("mailed deploy");
  const patch = join(repo.dir, "..", "deploy.patch");
  writeFileSync(patch, repo.git("format-patch", "-1", "--stdout", "feature"));
  repo.git("checkout", "-q", "main");
  repo.write(STATE_FILE, base.clone().set("prod", "app1", "toplevel", "/nix/store/ours-app1-system").text()).commit("main deploy");
  expect(repo.tryGit("am", "-3", patch).status).not.toBe(0);
  expect(repo.unmerged()).toEqual([STATE_FILE]);
  return repo;
}

describe("conflicts during git am -3", () => {
  it("names the patch being applied as theirs, and does not call it a rebase", () => {
    const repo = amConflict();
    const doc = JSON.parse(cli(repo, "conflicts", "--json").stdout) as { operation: { kind: string; ours: string; theirs: string } };
    expect(doc.operation.kind).toBe("am");
    expect(doc.operation.theirs).toBe('the patch being applied, "mailed deploy"');
    expect(doc.operation.ours).toMatch(/^your branch \(HEAD [0-9a-f]+ \(main deploy\)\)$/);
    const text = cli(repo, "conflicts");
    expect(text.stdout).toContain("app1");
    expect(text.stdout).not.toMatch(/rebase/i);
  });
});
