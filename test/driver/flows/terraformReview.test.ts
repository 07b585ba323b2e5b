// Reading a Terraform state's history through real Git with the drivers installed for
// `*.tfstate`: `git log -p` (textconv) and `git diff` (external diff) read like a plan, and
// `statefile-merge log` summarises each apply; no secret value reaches the output.

import { describe, expect, it } from "vitest";
import { TempRepo } from "../../support/gitRepo";
import { TfState, obj } from "../../support/tfstate";
import { runBin } from "../../support/flowRepo";

const FILE = "terraform.tfstate";

function history(): { repo: TempRepo; before: TfState; after: TfState } {
  const repo = TempRepo.create();
  const r = runBin(repo, ["install", "--pattern", "*.tfstate"]);
  if (r.status !== 0) throw new Error(r.stderr);
  const before = TfState.small().setOutput("db_password", "hunter2-first", "string", true);
  repo.write(FILE, before.text()).commit("first apply");
  const after = before.clone().applied().replace("null_resource.a", null, "a-2").setAttribute("null_resource.b", null, "tags", obj({ Env: "prod" }));
  after.setOutput("db_password", "hunter2-second", "string", true).removeResource("null_resource.c");
  repo.write(FILE, after.text()).commit("second apply", FILE);
  return { repo, before, after };
}

describe("Terraform state history through Git", () => {
  it("git diff (the external diff driver) prints the plan of the change", () => {
    const { repo } = history();
    const out = repo.git("diff", "HEAD~1", "HEAD");
    expect(out).toContain("terraform state: serial 1 -> 2, lineage 5f4dcc3b-0000-4000-8000-000000000001");
    expect(out).toContain("-/+ null_resource.a (replaced: id changed)");
    expect(out).toContain('~ null_resource.b: tags (absent) -> {"Env": "prod"}');
    expect(out).toContain("- null_resource.c");
    expect(out).not.toContain("hunter2");
  });

  it("git log -p (textconv) shows changed values by address, secrets hashed", () => {
    const { repo } = history();
    const out = repo.git("log", "-p", "-1", "--no-ext-diff");
    expect(out).toContain('-  null_resource.a.id = "a-1"');
    expect(out).toContain('+  null_resource.a.id = "a-2"');
    expect(out).toContain('+  null_resource.b.tags.Env = "prod"');
    expect(out).toMatch(/-output\.db_password \(sensitive\) = "<secret sha256:[0-9a-f]+>"/);
    expect(out).not.toContain("hunter2");
  });

  it("statefile-merge log summarises each apply", () => {
    const { repo } = history();
    const r = runBin(repo, ["log"]);
    expect(r.status).toBe(0);
    const summaries = r.stdout.trim().split("\n").map((l) => l.replace(/^\S+ \S+ \S+ \S+ {2}/, ""));
    expect(summaries).toEqual(["removed null_resource.c; replaced null_resource.a; changed null_resource.b, output.db_password", "added null_resource.a, null_resource.b, null_resource.c and 1 more"]);
    expect(r.stdout).not.toContain("hunter2");
  });
});
