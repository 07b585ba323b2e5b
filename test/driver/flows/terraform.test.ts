// Terraform state through real `git merge` and `git rebase` with the driver installed for
// `*.tfstate` (and `*.tfstate.backup`): two applies merged, a true conflict at a replaced
// instance, the lineage refusal; and, where the terraform binary is installed, the merged
// file pushed with `terraform state push` over both sides.

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { JsonNumber, type JsonObject } from "../../../src/core/values";
import { parseJson } from "../../../src/formats/parseJson";
import { TempRepo } from "../../support/gitRepo";
import { TfState } from "../../support/tfstate";
import { NO_TERRAFORM, hasTerraform, push, terraformDir, writtenState } from "../../support/terraformCli";
import { copyRepo, hunks, pickAll, removeCopies, runBin } from "../../support/flowRepo";

const FILE = "terraform.tfstate";
const FIXTURE = "aws-modules-count-tf1.4.6";
const base = () => TfState.fixture(FIXTURE);

// Two applies touching neighbouring attributes of one instance (and both bumping the serial on
// the same line): Git's line merge conflicts, the driver does not.
const oursApply = () => base().applied().setAttribute("module.vpc.aws_eip.nat", 1, "public_ipv4_pool", "ours-pool");
const theirsApply = () => base().applied().applied().setAttribute("module.vpc.aws_eip.nat", 1, "network_border_group", "eu-west-1b");

let fixture: TempRepo | undefined;
beforeAll(() => {
  const repo = TempRepo.create();
  const r = runBin(repo, ["install", "--pattern", "*.tfstate", "--pattern", "*.tfstate.backup"]);
  if (r.status !== 0) throw new Error(`install failed: ${r.stderr}`);
  repo.write(FILE, base().text()).write(`${FILE}.backup`, base().text());
  repo.commit("base state");
  fixture = repo;
});
afterAll(() => removeCopies(fixture));

/** A copy of the installed repository where `topic` committed `theirs` and main `ours`. */
function diverged(ours: TfState, theirs: TfState, file = FILE): TempRepo {
  const repo = copyRepo(fixture!);
  repo.git("checkout", "-q", "-b", "topic");
  repo.write(file, theirs.text()).commit("theirs: apply", file);
  repo.git("checkout", "-q", "main");
  repo.write(file, ours.text()).commit("ours: apply", file);
  return repo;
}

const serialOf = (text: string) => ((parseJson(text).value as JsonObject).get("serial") as JsonNumber).text;

describe("git merge of terraform.tfstate", () => {
  it("premise: Git's own line merge conflicts on these two applies", () => {
    const repo = copyRepo(fixture!);
    repo.write("o", base().text()).write("a", oursApply().text()).write("b", theirsApply().text());
    expect(repo.tryGit("merge-file", "-p", "a", "o", "b").status).toBe(1);
  });

  it("two applies from two branches merge cleanly; the serial is one more than both", () => {
    const repo = diverged(oursApply(), theirsApply());
    const r = repo.tryGit("merge", "-q", "topic");
    expect(r.status).toBe(0);
    const expected = oursApply().setAttribute("module.vpc.aws_eip.nat", 1, "network_border_group", "eu-west-1b");
    expected.set("serial", new JsonNumber(String(base().serial + 3n)));
    expect(repo.read(FILE)).toBe(expected.text());
    expect(repo.unmerged()).toEqual([]);
  });

  it("terraform.tfstate.backup is routed to the driver too", () => {
    const repo = diverged(oursApply(), theirsApply(), `${FILE}.backup`);
    expect(repo.tryGit("merge", "-q", "topic").status).toBe(0);
    expect(serialOf(repo.read(`${FILE}.backup`))).toBe(String(base().serial + 3n));
  });

  it("a true conflict at a replaced instance: markers around that instance only, three stages, a valid state either way", () => {
    const ours = base().applied().replace("module.vpc.aws_eip.nat", 1, "eipalloc-0ours", "public_ip", "203.0.113.7").setAttribute("aws_instance.created_by_terraform", null, "tags", new Map([["Name", "web"]]));
    const theirs = base().applied().setAttribute("module.vpc.aws_eip.nat", 1, "tags", new Map([["Env", "prod"]]));
    const repo = diverged(ours, theirs);
    const r = repo.tryGit("merge", "topic");
    expect(r.status).toBe(1);
    expect(r.stdout + r.stderr).toMatch(/CONFLICT \(identity, re-created on one side and changed on the other\) in resource module\.vpc\.aws_eip\.nat\[1\]/);
    expect(r.stdout + r.stderr).toMatch(/ours made it a record of \d+ attributes \(id eipalloc-0ours\)/);
    expect(repo.unmerged()).toEqual([FILE]);
    const text = repo.read(FILE);
    expect(hunks(text)).toHaveLength(1);
    expect(hunks(text)[0].ours.join("\n")).toContain('"id": "eipalloc-0ours"');
    for (const side of ["ours", "theirs"] as const) {
      const taken = parseJson(pickAll(text, side)).value as JsonObject;
      // Ours' other change (the instance's tags) is in either choice.
      expect(pickAll(text, side)).toContain('"Name": "web"');
      expect((taken.get("serial") as JsonNumber).text).toBe(String(base().serial + 2n));
    }
  });

  it("conflicts lists the instance by address; resolve settles it by address and stages the file", () => {
    const ours = base().applied().replace("module.vpc.aws_eip.nat", 1, "eipalloc-0ours");
    const theirs = base().applied().setAttribute("module.vpc.aws_eip.nat", 1, "tags", new Map([["Env", "prod"]]));
    const repo = diverged(ours, theirs);
    expect(repo.tryGit("merge", "topic").status).toBe(1);
    const listed = runBin(repo, ["conflicts"]);
    expect(listed.stdout).toMatch(/terraform\.tfstate: CONFLICT \(identity, .*\) in resource module\.vpc\.aws_eip\.nat\[1\]/);
    expect(runBin(repo, ["resolve", FILE, "module.vpc.aws_eip.nat[9]", "--theirs"]).stderr).toMatch(/no resource or instance "module\.vpc\.aws_eip\.nat\[9\]"/);
    const r = runBin(repo, ["resolve", FILE, "module.vpc.aws_eip.nat[1]", "--theirs", "--add"]);
    expect(r.status).toBe(0);
    expect(repo.unmerged()).toEqual([]);
    // Settled to theirs, the merged state is theirs' state; one apply on each side left the
    // serials tied, so it gets one more (push refuses a different state at ours' serial).
    expect(ours.serial).toBe(theirs.serial);
    expect(repo.read(FILE)).toBe(theirs.clone().applied().text());
  });

  it("refuses to merge two states with different lineages: both whole files between markers, with the reason", () => {
    const other = base().applied().set("lineage", "00000000-0000-4000-8000-000000000000");
    const repo = diverged(oursApply(), other);
    const r = repo.tryGit("merge", "topic");
    expect(r.status).toBe(1);
    expect(r.stdout + r.stderr).toMatch(/the lineages differ \(base [0-9a-f-]+, ours [0-9a-f-]+, theirs 00000000-0000-4000-8000-000000000000\): these are two different states/);
    expect(pickAll(repo.read(FILE), "ours")).toBe(oursApply().text());
    expect(pickAll(repo.read(FILE), "theirs")).toBe(other.text());
  });

  it("git rebase replays an apply onto another with the driver", () => {
    const repo = diverged(oursApply(), theirsApply());
    repo.git("checkout", "-q", "topic");
    const r = repo.tryGit("rebase", "main");
    expect(r.status).toBe(0);
    expect(serialOf(repo.read(FILE))).toBe(String(base().serial + 3n));
    expect(repo.read(FILE)).toContain('"public_ipv4_pool": "ours-pool"');
    expect(repo.read(FILE)).toContain('"network_border_group": "eu-west-1b"');
  });
});

describe("criss-cross history of a state", () => {
  it("two merge bases: the virtual base settles to the base, the outer merge is clean with a serial above both", () => {
    const repo = copyRepo(fixture!);
    const x1 = base().applied().replace("module.vpc.aws_eip.nat", 1, "eipalloc-x");
    const y1 = base().applied().applied().replace("module.vpc.aws_eip.nat", 1, "eipalloc-y");
    const resolved = x1.clone().set("serial", new JsonNumber(String(base().serial + 3n)));
    repo.crissCross(FILE, x1.text(), y1.text(), resolved.text());
    const x3 = resolved.clone().applied().setAttribute("module.vpc.aws_eip.nat", 0, "public_ipv4_pool", "x-pool");
    const y3 = resolved.clone().applied().applied().setAttribute("module.vpc.aws_eip.nat", 0, "network_border_group", "y-group");
    repo.git("checkout", "-q", "x");
    repo.write(FILE, x3.text()).commit("X3", FILE);
    repo.git("checkout", "-q", "y");
    repo.write(FILE, y3.text()).commit("Y3", FILE);
    repo.git("checkout", "-q", "x");
    expect(repo.git("merge-base", "--all", "x", "y").trim().split("\n")).toHaveLength(2);
    const r = repo.tryGit("merge", "y");
    expect(r.stderr).not.toMatch(/line by line/);
    expect(r.status).toBe(0);
    const expected = x3.clone().setAttribute("module.vpc.aws_eip.nat", 0, "network_border_group", "y-group").set("serial", new JsonNumber(String(y3.serial + 1n)));
    expect(repo.read(FILE)).toBe(expected.text());
  });
});

describe.skipIf(!hasTerraform)("terraform state push accepts the merged state", () => {
  // Terraform writes its own version, and counts the push as one more change of the serial.
  const runLines = (text: string) => text.replace(/"terraform_version": "[^"]*"/, '"terraform_version": "-"').replace(/"serial": \d+/, '"serial": -');

  it("pushed over ours and over theirs; Terraform writes it back byte for byte (but its version and serial)", () => {
    const repo = diverged(oursApply(), theirsApply());
    expect(repo.tryGit("merge", "-q", "topic").status).toBe(0);
    const merged = repo.read(FILE);
    for (const side of [oursApply(), theirsApply()]) {
      const dir = terraformDir();
      expect(push(dir, side.text()).status).toBe(0);
      const r = push(dir, merged);
      expect(r.stderr).not.toMatch(/cannot import/);
      expect(r.status).toBe(0);
      expect(runLines(writtenState(dir))).toBe(runLines(merged));
      expect(BigInt(serialOf(writtenState(dir)))).toBeGreaterThanOrEqual(BigInt(serialOf(merged)));
    }
  });

  it("refuses what the rules refuse: a lower serial, another lineage (so the oracle can fail)", () => {
    const dir = terraformDir();
    expect(push(dir, oursApply().applied().text()).status).toBe(0);
    expect(push(dir, oursApply().text()).stderr).toMatch(/cannot import state with serial/);
    expect(push(dir, oursApply().applied().applied().set("lineage", "other").text()).stderr).toMatch(/lineage/);
  });

  it("after a conflict, taking ours or theirs in every hunk gives a state Terraform accepts over both sides", () => {
    const ours = base().applied().replace("module.vpc.aws_eip.nat", 1, "eipalloc-0ours");
    const theirs = base().applied().setAttribute("module.vpc.aws_eip.nat", 1, "tags", new Map([["Env", "prod"]]));
    const repo = diverged(ours, theirs);
    expect(repo.tryGit("merge", "topic").status).toBe(1);
    for (const side of ["ours", "theirs"] as const) {
      for (const pushedFirst of [ours, theirs]) {
        const dir = terraformDir();
        expect(push(dir, pushedFirst.text()).status).toBe(0);
        expect(push(dir, pickAll(repo.read(FILE), side)).status).toBe(0);
      }
    }
  });
});

describe.skipIf(hasTerraform)("terraform oracle", () => {
  it.skip(NO_TERRAFORM, () => undefined);
});
