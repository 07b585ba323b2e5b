import { describe, expect, it } from "vitest";
import { readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { State } from "../support/fixtures";
import { TempRepo } from "../support/gitRepo";
import { TfState } from "../support/tfstate";
import { cli, configureDriverWithReport, secretsIn, STATE_FILE } from "../support/review";

const OURS_SECRET = "ours-replication-pw-0001";
const THEIRS_SECRET = "theirs-replication-pw-0002";

/** main and feature both deploy app1 and change db1's replication password; each also makes a change of its own. */
function conflictedRepo(): { repo: TempRepo; report: string } {
  const repo = TempRepo.create();
  const report = join(repo.dir, "..", "report.json");
  configureDriverWithReport(repo, report);
  const base = State.fixture("ec2-prod-5machines");
  repo.write(STATE_FILE, base.text()).commit("base");
  repo.git("checkout", "-q", "-b", "feature");
  const theirs = base.clone().set("prod", "app1", "toplevel", "/nix/store/theirs-system-app1");
  theirs.setInner("prod", "db1", "keys", ["postgres-replication-password", "text"], THEIRS_SECRET);
  theirs.set("prod", "lb2", "publicIpv4", "203.0.113.9");
  repo.write(STATE_FILE, theirs.text()).commit("feature deploy");
  repo.git("checkout", "-q", "main");
  const ours = base.clone().set("prod", "app1", "toplevel", "/nix/store/ours-system-app1");
  ours.setInner("prod", "db1", "keys", ["postgres-replication-password", "text"], OURS_SECRET);
  ours.set("prod", "lb1", "publicIpv4", "203.0.113.7");
  repo.write(STATE_FILE, ours.text()).commit("main deploy");
  return { repo, report };
}

describe("a state file Git merged line by line (not routed to the driver)", () => {
  /** Two deploys, one conflict Git's line merge and the record merge both see (app1's toplevel), one only Git's (configsPath, volatile). */
  function lineMerged(): TempRepo {
    const repo = TempRepo.create();
    const base = State.fixture("ec2-prod-5machines");
    repo.write("state.json", base.text()).commit("base");
    repo.git("checkout", "-q", "-b", "feature");
    repo.write("state.json", base.clone().set("prod", "app1", "toplevel", "/nix/store/theirs-app1").set("prod", null, "configsPath", "/nix/store/theirs-cfg").text()).commit("feature deploy");
    repo.git("checkout", "-q", "main");
    repo.write("state.json", base.clone().set("prod", "app1", "toplevel", "/nix/store/ours-app1").set("prod", null, "configsPath", "/nix/store/ours-cfg").text()).commit("main deploy");
    expect(repo.tryGit("merge", "-q", "feature").status).toBe(1);
    expect(repo.read("state.json").match(/^<{7} /gm)).toHaveLength(2);
    return repo;
  }

  it("conflicts keeps exit 1 while a block stands that only Git's line merge sees, and says how to finish", () => {
    const repo = lineMerged();
    // The toplevel block settled by hand (ours' section kept); the configsPath block left.
    const blocks = repo.read("state.json").split(/(?=^<{7} )/m);
    const settled = blocks.map((b) => (b.includes('"toplevel"') ? b.replace(/^<{7} .*\n([\s\S]*?)^={7}\n[\s\S]*?^>{7} .*\n/m, "$1") : b)).join("");
    repo.write("state.json", settled);
    expect(settled.match(/^<{7} /gm)).toHaveLength(1);
    const listed = cli(repo, "conflicts", "state.json");
    expect(listed.status).toBe(1);
    expect(listed.stdout).toMatch(/state\.json: note: the file still holds 1 conflict block\(s\) that the record-by-record merge settles on its own/);
    expect(listed.stdout).toMatch(/^state\.json:\d+: conflict block \(lines \d+-\d+\)$/m);
  });

  it("with a true conflict left too, conflicts names the blocks resolve would refuse over, at the same place", () => {
    const repo = lineMerged();
    const listed = cli(repo, "conflicts", "state.json");
    expect(listed.status).toBe(1);
    expect(listed.stdout).toMatch(/attribute toplevel/);
    const note = /^state\.json: note: (.*)$/m.exec(listed.stdout)?.[1] ?? "";
    expect(note).toMatch(/^the file holds conflict blocks that Git's line merge wrote .*, which read otherwise than the record-by-record merge at deployment prod .*attribute configsPath/);
    expect(listed.stdout.match(/^state\.json:\d+: conflict block \(lines \d+-\d+\)$/gm)).toHaveLength(2);
    const json = JSON.parse(cli(repo, "conflicts", "state.json", "--json").stdout) as { files: Array<{ note: string; blocks: unknown[] }> };
    expect(json.files[0].note).toBe(note);
    expect(json.files[0].blocks).toHaveLength(2);
    // resolve refuses over the very place conflicts named.
    const refused = cli(repo, "resolve", "state.json", "--ours", "prod/app1");
    expect(refused.status).toBe(2);
    expect(refused.stderr).toMatch(/differ from the record-by-record merge at deployment prod .*attribute configsPath/);
  });

  it("resolve says the blocks are Git's line merge's, and --force writes the record-by-record merge", () => {
    const repo = lineMerged();
    const refused = cli(repo, "resolve", "state.json", "--ours", "prod/app1");
    expect(refused.status).toBe(2);
    expect(refused.stderr).toMatch(/holds Git's line-merge conflict blocks \(the file is not routed to the driver/);
    const forced = cli(repo, "resolve", "state.json", "--ours", "--force");
    expect(forced.status).toBe(0);
    const result = repo.read("state.json");
    expect(result).not.toMatch(/^<{7}/m);
    expect(result).toContain('"toplevel": "/nix/store/ours-app1"');
    expect(result).toContain('"configsPath": "/nix/store/ours-cfg"');
  });
});

describe("statefile-merge conflicts", () => {
  it("a directory named as FILE: exit 2, one line naming it, no internal error", () => {
    const { repo } = conflictedRepo();
    repo.write("somedir/x.txt", "x\n");
    const r = cli(repo, "conflicts", "somedir");
    expect(r.status).toBe(2);
    expect(r.stderr).toBe("statefile-merge conflicts: somedir is not a file; name a state file, or none to list every unmerged one\n");
  });

  it("the conflicted file replaced by a directory: conflicts lists Git's stages, resolve refuses in one line, no internal error", () => {
    const { repo } = conflictedRepo();
    repo.tryGit("merge", "-q", "feature");
    rmSync(join(repo.dir, STATE_FILE));
    repo.write(`${STATE_FILE}/inside.txt`, "x\n");
    const listed = cli(repo, "conflicts");
    expect(listed.stderr).not.toMatch(/internal error/);
    expect(listed.stdout.split("\n").filter((l) => l.startsWith(`${STATE_FILE}: CONFLICT`))).toHaveLength(2);
    expect(listed.status).toBe(1);
    const resolved = cli(repo, "resolve", STATE_FILE, "--ours");
    expect(resolved.stderr).toBe(`statefile-merge resolve: ${STATE_FILE} in the work tree is not a file (a directory?); move it away, then resolve again\n`);
    expect(resolved.status).toBe(2);
  });

  it("a named file that is nowhere (a typo): exit 2 and one line on stderr, also with --json, and from resolve", () => {
    const { repo } = conflictedRepo();
    repo.tryGit("merge", "-q", "feature");
    for (const json of [[], ["--json"]]) {
      const r = cli(repo, "conflicts", "nothere.json", ...json);
      expect(r.status).toBe(2);
      expect(r.stdout).toBe("");
      expect(r.stderr).toBe("statefile-merge conflicts: nothere.json: no such file in the work tree, nor in conflict in Git's index; name a state file, or none to list every unmerged one\n");
    }
    const resolved = cli(repo, "resolve", "nothere.json", "--ours");
    expect(resolved.status).toBe(2);
    expect(resolved.stderr).toBe("statefile-merge resolve: nothere.json: no such file in the work tree, nor in conflict in Git's index; name the conflicted state file (statefile-merge conflicts lists them)\n");
  });

  it("lists exactly the driver's own conflicts, secrets hashed", () => {
    const { repo, report } = conflictedRepo();
    const merge = repo.tryGit("merge", "-q", "feature");
    expect(merge.status).toBe(1);
    expect(repo.unmerged()).toEqual([STATE_FILE]);
    const driverReport = JSON.parse(readFileSync(report, "utf8")) as { conflicts: unknown[] };
    expect(driverReport.conflicts).toHaveLength(2);

    const listed = cli(repo, "conflicts", "--json");
    expect(listed.status).toBe(1);
    const doc = JSON.parse(listed.stdout) as { operation: { kind: string }; files: Array<{ path: string; source: string; conflicts: unknown[] }> };
    expect(doc.operation.kind).toBe("merge");
    expect(doc.files.map((f) => [f.path, f.source])).toEqual([[STATE_FILE, "index"]]);
    expect(doc.files[0].conflicts).toEqual(driverReport.conflicts);

    const text = cli(repo, "conflicts");
    const lines = text.stdout.trim().split("\n");
    expect(lines).toHaveLength(2);
    expect(lines.every((l) => l.startsWith(`${STATE_FILE}: CONFLICT`) && l.includes("deployment prod"))).toBe(true);
    expect(lines.some((l) => l.includes("resource app1, attribute toplevel"))).toBe(true);
    expect(lines.some((l) => l.includes("resource db1, attribute keys, inner path postgres-replication-password/text"))).toBe(true);
    for (const out of [listed.stdout, text.stdout, text.stderr]) {
      expect(out).not.toContain(OURS_SECRET);
      expect(out).not.toContain(THEIRS_SECRET);
      expect(secretsIn(out)).toEqual([]);
    }
    expect(text.stdout).toContain("<secret sha256:");
    expect(cli(repo, "conflicts", "--show-secrets").stdout).toContain(THEIRS_SECRET);
  });

  it("a work-tree copy that no longer reads as JSON is named in a note, and every conflict of the re-merge listed", () => {
    const { repo } = conflictedRepo();
    repo.tryGit("merge", "-q", "feature");
    const marked = repo.read(STATE_FILE);
    for (const [text, says] of [
      [marked.replace(/(\n=======\n)/, "$1}}garbage\n"), "one side of its conflict blocks is not valid JSON"],
      ['{"x":', "it is not valid JSON"],
    ] as const) {
      repo.write(STATE_FILE, text);
      const r = cli(repo, "conflicts");
      expect(r.stdout).toMatch(new RegExp(`^${STATE_FILE.replace(".", "\\.")}: note: in the work-tree copy, ${says} \\(line \\d+, column \\d+: .*\\); listing every conflict of the re-merge$`, "m"));
      expect(r.stdout.split("\n").filter((l) => l.includes(": CONFLICT"))).toHaveLength(2);
      expect(r.status).toBe(1);
    }
  });

  it("leaves out conflicts already settled in the work tree, and lists nothing once resolved", () => {
    const { repo } = conflictedRepo();
    repo.tryGit("merge", "-q", "feature");
    expect(cli(repo, "resolve", STATE_FILE, "--ours", "prod/app1").status).toBe(1);
    const doc = JSON.parse(cli(repo, "conflicts", "--json").stdout) as { files: Array<{ conflicts: Array<{ path: string[] }>; settled: number }> };
    expect(doc.files[0].conflicts.map((c) => c.path.slice(2))).toEqual([["db1", "keys", "postgres-replication-password", "text"]]);
    expect(doc.files[0].settled).toBe(1);
    expect(cli(repo, "resolve", STATE_FILE, "--theirs", "--add").status).toBe(0);
    const after = cli(repo, "conflicts");
    expect(after.status).toBe(0);
    expect(after.stdout).toBe("");
  });

  it("falls back to the markers in the file when Git no longer holds the stages", () => {
    const { repo } = conflictedRepo();
    repo.tryGit("merge", "-q", "feature");
    repo.git("add", STATE_FILE); // staged with its markers still in it
    const listed = cli(repo, "conflicts", STATE_FILE, "--json");
    const doc = JSON.parse(listed.stdout) as { files: Array<{ source: string; conflicts: Array<{ path: string[] }>; blocks: unknown[] }> };
    expect(doc.files[0].source).toBe("markers");
    expect(doc.files[0].blocks).toHaveLength(2);
    expect(doc.files[0].conflicts.map((c) => c.path.slice(2, 4)).sort()).toEqual([
      ["app1", "toplevel"],
      ["db1", "keys"],
    ]);
    expect(secretsIn(listed.stdout)).toEqual([]);
    expect(listed.stdout).not.toContain(OURS_SECRET);
  });

  it("reading the markers, hides the names the policy file calls secret", () => {
    const repo = TempRepo.create();
    configureDriverWithReport(repo, join(repo.dir, "..", "report.json"));
    repo.write(".statefile-merge.json", JSON.stringify({ files: { "*.nixops.json": { secretNames: ["licenseCode"] } } }) + "\n");
    const codes = ["LIC-OURS-5e6f7a8b", "LIC-THEIRS-9c0d1e2f"];
    const base = State.fixture("ec2-prod-5machines").set("prod", "app1", "licenseCode", "LIC-BASE-1a2b3c4d");
    repo.write(STATE_FILE, base.text()).commit("base");
    repo.git("checkout", "-q", "-b", "feature");
    repo.write(STATE_FILE, base.clone().set("prod", "app1", "licenseCode", codes[1]).text()).commit("feature license");
    repo.git("checkout", "-q", "main");
    repo.write(STATE_FILE, base.clone().set("prod", "app1", "licenseCode", codes[0]).text()).commit("main license");
    expect(repo.tryGit("merge", "-q", "feature").status).toBe(1);
    repo.git("add", STATE_FILE); // staged with its markers: conflicts reads the file
    const outputs = [cli(repo, "conflicts", STATE_FILE, "--json"), cli(repo, "conflicts", STATE_FILE)];
    const doc = JSON.parse(outputs[0].stdout) as { files: Array<{ source: string; conflicts: Array<{ path: string[] }> }> };
    expect(doc.files[0].source).toBe("markers");
    expect(doc.files[0].conflicts.map((c) => c.path.slice(2))).toEqual([["app1", "licenseCode"]]);
    for (const out of outputs) for (const code of codes) expect(out.stdout + out.stderr).not.toContain(code);
    expect(outputs[1].stdout).toContain("<secret sha256:");
    // The control: shown when asked, so the search above can see a leak.
    expect(cli(repo, "conflicts", STATE_FILE, "--show-secrets").stdout).toContain(codes[1]);
  });

  it("during a rebase says which side is the upstream and which the commit being replayed", () => {
    const { repo } = conflictedRepo();
    repo.git("checkout", "-q", "feature");
    const rebase = repo.tryGit("rebase", "main");
    expect(rebase.status).not.toBe(0);
    const text = cli(repo, "conflicts");
    expect(text.stdout).toMatch(/^rebase in progress: "ours" is the upstream being rebased onto \(HEAD [0-9a-f]+ \(main deploy\)\); "theirs" is your commit being replayed, [0-9a-f]+ \(feature deploy\)/);
    const doc = JSON.parse(cli(repo, "conflicts", "--json").stdout) as { operation: { kind: string; ours: string; theirs: string } };
    expect(doc.operation.kind).toBe("rebase");
    expect(doc.operation.theirs).toContain("feature deploy");
  });

  it("with no FILE lists only the unmerged state files", () => {
    const { repo } = conflictedRepo();
    repo.git("checkout", "-q", "feature");
    repo.write("notes.txt", "feature\n").commit("notes on feature");
    repo.git("checkout", "-q", "main");
    repo.write("notes.txt", "main\n").commit("notes on main");
    repo.tryGit("merge", "-q", "feature");
    expect(repo.unmerged().sort()).toEqual([STATE_FILE, "notes.txt"].sort());
    const doc = JSON.parse(cli(repo, "conflicts", "--json").stdout) as { files: Array<{ path: string }> };
    expect(doc.files.map((f) => f.path)).toEqual([STATE_FILE]);
  });

  it("with no FILE finds an undeclared Terraform state by its content, whatever its name", () => {
    const repo = TempRepo.create(); // nothing installed: Git's line merge leaves the markers
    const state = TfState.fixture("aws-modules-count-tf1.4.6");
    repo.write("terraform.tfstate", state.text()).commit("state");
    repo.git("checkout", "-q", "-b", "feature");
    repo.write("terraform.tfstate", state.clone().applied().setOutput("instance_ip_address", "198.51.100.7").text()).commit("feature applies");
    repo.git("checkout", "-q", "main");
    repo.write("terraform.tfstate", state.clone().applied().setOutput("instance_ip_address", "198.51.100.9").text()).commit("main applies");
    expect(repo.tryGit("merge", "-q", "feature").status).toBe(1);
    const doc = JSON.parse(cli(repo, "conflicts", "--json").stdout) as { files: Array<{ path: string; profile: string; where: string[] }> };
    expect(doc.files.map((f) => [f.path, f.profile])).toEqual([["terraform.tfstate", "tfstate"]]);
    // An output is one value: both sides' changes to it are one conflict.
    expect(doc.files[0].where).toEqual(["output instance_ip_address"]);
  });

  it("with no FILE re-merges only files that may be state files, never the other unmerged paths", () => {
    const { repo } = conflictedRepo();
    repo.git("checkout", "-q", "feature");
    repo.write("notes.txt", "feature\n").write("src/app.c", "int feature;\n").commit("code on feature");
    repo.git("checkout", "-q", "main");
    repo.write("notes.txt", "main\n").write("src/app.c", "int main_;\n").commit("code on main");
    repo.tryGit("merge", "-q", "feature");
    expect(repo.unmerged().sort()).toEqual([STATE_FILE, "notes.txt", "src/app.c"].sort());
    // Every git command the CLI runs, with its arguments: re-merging a path reads its stages.
    const trace = join(repo.dir, "..", "git-trace.log");
    repo.env.GIT_TRACE = trace;
    const listed = cli(repo, "conflicts");
    delete repo.env.GIT_TRACE;
    expect(listed.stdout).toContain(`${STATE_FILE}: CONFLICT`);
    const commands = readFileSync(trace, "utf8").split("\n").filter((l) => /trace: (built-in|exec|run_command)/.test(l));
    expect(commands.some((l) => l.includes(STATE_FILE) && /ls-files|cat-file/.test(l))).toBe(true);
    const otherReads = commands.filter((l) => /notes\.txt|app\.c/.test(l) && !l.includes("check-attr"));
    expect(otherReads).toEqual([]);
  });
});
