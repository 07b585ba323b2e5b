import { describe, expect, it } from "vitest";
import { existsSync, realpathSync, rmSync, statSync } from "node:fs";
import { dirname, join } from "node:path";
import { State, fixtureText } from "../support/fixtures";
import { lockPathFor } from "../../src/wrapper/lock";
import { FAKE_NIXOPS, STATE, WrapperRepo, deployed, machinesOf } from "../support/wrapperRun";


describe("statefile-merge nixops", () => {
  it("imports, runs nixops on a private statefile, exports back in NixOps layout, and cleans up", () => {
    const w = WrapperRepo.create(fixtureText("ec2-prod-5machines"));
    const r = w.run(["deploy", "-d", "prod", "--include", "app1"]);
    expect(r.status, r.stderr).toBe(0);
    expect(w.state()).toBe(deployed(State.fixture("ec2-prod-5machines"), "prod", "app1").text());

    // The exact commands, all on one fresh statefile named by NIXOPS_STATE (no -s for 2.0).
    const starts = w.entries().filter((e) => e.event === "start");
    expect(starts.map((e) => e.argv)).toEqual([["import"], ["deploy", "-d", "prod", "--include", "app1"], ["export", "--all"]]);
    const statefile = starts[0].statefile;
    for (const e of starts) expect([e.statefile, e.envState]).toEqual([statefile, statefile]);
    expect(starts[0].fileMode).toBeNull(); // a fresh statefile: import never meets an existing UUID
    for (const e of w.entries()) expect(e.dirMode).toBe("700");
    expect(starts[1].fileMode).toBe("600");

    expect(existsSync(dirname(statefile))).toBe(false);
    expect(existsSync(lockPathFor(join(w.repo.dir, STATE)))).toBe(false);
    expect(r.stdout).toBe(""); // import's chatter is not mixed into nixops' own output
    expect(r.stderr).toContain(`wrote ${STATE} (prod changed)`);
  });

  it("passes -s after the subcommand to NixOps 1.x and keeps the Python 2 separators", () => {
    const w = WrapperRepo.create(fixtureText("legacy-nixops-1.7-python2"), { FAKE_NIXOPS_VERSION: "1.7" });
    const r = w.run(["deploy", "-d", "staging"]);
    expect(r.status, r.stderr).toBe(0);
    const starts = w.entries().filter((e) => e.event === "start");
    const sf = starts[0].statefile;
    expect(starts.map((e) => e.argv)).toEqual([["import", "-s", sf], ["deploy", "-s", sf, "-d", "staging"], ["export", "-s", sf, "--all"]]);
    const expected = State.fixture("legacy-nixops-1.7-python2");
    expect(expected.separators).toBe("py2");
    expect(w.state()).toBe(deployed(expected, "staging", ...machinesOf(expected, "staging")).text());
  });

  it("keeps the committed file's separators when another NixOps version exports", () => {
    const w = WrapperRepo.create(fixtureText("legacy-nixops-1.7-python2")); // py2 file, NixOps 2.0 (py3) export
    const r = w.run(["deploy", "-d", "local"]);
    expect(r.status, r.stderr).toBe(0);
    const expected = State.fixture("legacy-nixops-1.7-python2");
    expect(w.state()).toBe(deployed(expected, "local", ...machinesOf(expected, "local")).text("py2"));
  });

  it("leaves an unchanged state file untouched, bytes and mtime", () => {
    const w = WrapperRepo.create(fixtureText("hetzner-hcloud-multitenant"));
    const before = statSync(join(w.repo.dir, STATE)).mtimeMs;
    const r = w.run(["list"]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toContain("tenant-acme");
    expect(w.state()).toBe(fixtureText("hetzner-hcloud-multitenant"));
    expect(statSync(join(w.repo.dir, STATE)).mtimeMs).toBe(before);
  });

  it("gives nixops a state file that starts with a byte-order mark without the mark (nixops import refuses it)", () => {
    const w = WrapperRepo.create("\ufeff" + fixtureText("ec2-prod-5machines"));
    const r = w.run(["deploy", "-d", "prod", "--include", "app1"]);
    expect(r.status, r.stderr).toBe(0);
    expect(w.entries().filter((e) => e.event === "start").map((e) => e.command)).toEqual(["import", "deploy", "export"]);
    expect(w.state()).toBe(deployed(State.fixture("ec2-prod-5machines"), "prod", "app1").text());
    expect(r.stderr).toContain(`wrote ${STATE} (prod changed)`);
  });

  it("passes a failing nixops' exit status through, and still exports the state it changed", () => {
    const w = WrapperRepo.create(fixtureText("ec2-prod-5machines"));
    const r = w.run(["fail", "-d", "prod", "--include", "db1"]);
    expect(r.status).toBe(3);
    expect(r.stderr).toContain("error: activation of 1 of 1 machines failed");
    expect(r.stderr).toMatch(/exited with status 3; the state it left is exported/);
    expect(w.state()).toBe(deployed(State.fixture("ec2-prod-5machines"), "prod", "db1").text());
    const sf = w.entries()[0].statefile;
    expect(existsSync(dirname(sf))).toBe(false);
    expect(w.entries().filter((e) => e.event === "start").map((e) => e.command)).toEqual(["import", "fail", "export"]);
  });

  it("creates the state file on first use, private", () => {
    const w = WrapperRepo.create(null);
    const r = w.run(["create", "-d", "fresh"]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toContain(`statefile-merge: ${STATE} does not exist yet; nixops starts from an empty state`);
    // An empty file is one too, and says so.
    const empty = WrapperRepo.create("");
    expect(empty.run(["create", "-d", "fresh"]).stderr).toContain(`statefile-merge: ${STATE} is empty; nixops starts from an empty state`);
    expect(w.entries().map((e) => e.command)).not.toContain("import");
    const doc = JSON.parse(w.state());
    const uuid = r.stdout.trim();
    expect(doc).toEqual({ [uuid]: { name: "fresh", resources: {} } });
    expect(statSync(join(w.repo.dir, STATE)).mode & 0o777).toBe(0o600);
  });

  it("when the export fails, keeps the file and the statefile (the only copy of the new state), stops later runs until it is merged in, and the steps it names work", () => {
    const w = WrapperRepo.create(fixtureText("ec2-prod-5machines"), { FAKE_NIXOPS_BREAK_EXPORT: "1" });
    const r = w.run(["deploy", "-d", "prod"]);
    expect(r.status).toBe(1);
    expect(w.state()).toBe(fixtureText("ec2-prod-5machines"));
    const sf = w.entries()[0].statefile;
    const dir = dirname(sf);
    expect(r.stderr).toContain(`nixops export --all failed (exit 1); ${STATE} is not written by this run`);
    expect(r.stderr).toContain(`kept at ${sf}`);
    expect(existsSync(sf)).toBe(true);
    expect(statSync(dir).mode & 0o777).toBe(0o700);
    // In the Git directory, never committed, where a reboot or a /tmp cleaner does not reach;
    // the folder of runs made with the user's umask (a clone several users share).
    expect(dirname(dir)).toBe(join(realpathSync(w.repo.dir), ".git", "statefile-merge", "runs"));
    expect(statSync(dirname(dir)).mode & 0o777).toBe(0o777 & ~process.umask());
    expect(w.repo.git("status", "--porcelain")).toBe("");
    // The next run stops, naming the kept state, until it is merged in.
    const before = w.entries().length;
    const next = w.run(["deploy", "-d", "prod"], [], { FAKE_NIXOPS_BREAK_EXPORT: "" });
    expect(next.status).toBe(2);
    expect(next.stderr).toContain(`ended without saving its state, which is left in ${dir}`);
    expect(w.entries()).toHaveLength(before); // nixops not run at all
    // The one step as printed, run by a shell: it exports with the same nixops, merges, deletes the directory.
    expect(r.stderr).toContain(`with statefile-merge recover --state ${join(realpathSync(w.repo.dir), STATE)} --nixops ${FAKE_NIXOPS}, which merges it in and then deletes ${dir}`);
    const recovered = w.runPrintedRecover(r.stderr, { FAKE_NIXOPS_BREAK_EXPORT: "" });
    expect(recovered?.status, recovered?.stderr).toBe(0);
    expect(recovered?.stderr).toContain(`wrote ${join(realpathSync(w.repo.dir), STATE)} (prod changed)`);
    expect(w.state()).toBe(deployed(State.fixture("ec2-prod-5machines"), "prod", ...machinesOf(State.fixture("ec2-prod-5machines"), "prod")).text());
    expect(existsSync(dir)).toBe(false);
    const after = w.run(["deploy", "-d", "prod"], [], { FAKE_NIXOPS_BREAK_EXPORT: "" });
    expect(after.status, after.stderr).toBe(0);
    expect(after.stderr).not.toContain("stale lock");
  });

  it("keeps the file when the export lacks a deployment the import gave nixops (a deploy never removes one): the state is kept, later runs stop", () => {
    const fixture = fixtureText("hetzner-hcloud-multitenant");
    const sharedDb = "8e2f4b90-2b7c-11ee-9a5e-9c2dcd0b1f11";
    // nixops loses shared-db while deploying tenant-acme (its state kept elsewhere, say).
    const lose = `node -e 'const fs=require("fs"),f=process.env.NIXOPS_STATE,s=JSON.parse(fs.readFileSync(f));delete s["${sharedDb}"];fs.writeFileSync(f,JSON.stringify(s))'`;
    const w = WrapperRepo.create(fixture, { FAKE_NIXOPS_DURING: lose });
    const r = w.run(["deploy", "-d", "tenant-acme"], ["--commit"]);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain(`nixops export --all lacks the deployment shared-db (${sharedDb}), which the import gave it, although only nixops delete removes one`);
    expect(w.state()).toBe(fixture);
    expect(w.repo.git("log", "--format=%s")).not.toMatch(/state of/);
    const sf = w.entries()[0].statefile;
    expect(existsSync(sf)).toBe(true);
    // Its steps never merge that export (it would delete shared-db), now or on the next run.
    expect(r.stderr).toContain(`do not merge its export, which lacks shared-db (${sharedDb})`);
    expect(r.stderr).not.toContain("merge it in with");
    const next = w.run(["deploy", "-d", "tenant-acme"], [], { FAKE_NIXOPS_DURING: "" });
    expect(next.status).toBe(2);
    expect(next.stderr).toContain(`ended without saving its state, which is left in ${dirname(sf)} (private; it holds secrets): do not merge its export, which lacks shared-db`);
    expect(next.stderr).not.toContain("merge it in with");
    rmSync(dirname(sf), { recursive: true, force: true });
  });

  it("on a first run whose export fails, names steps that work although the file does not exist yet", () => {
    const w = WrapperRepo.create(null, { FAKE_NIXOPS_BREAK_EXPORT: "1" });
    const r = w.run(["create", "-d", "fresh"], [], {}, { state: STATE });
    expect(r.status).toBe(1);
    expect(existsSync(join(w.repo.dir, STATE))).toBe(false);
    const recovered = w.runPrintedRecover(r.stderr, { FAKE_NIXOPS_BREAK_EXPORT: "" });
    expect(recovered?.status, recovered?.stderr ?? r.stderr).toBe(0);
    expect(Object.values(JSON.parse(w.state()) as Record<string, { name: string }>).map((d) => d.name)).toEqual(["fresh"]);
    expect(statSync(join(w.repo.dir, STATE)).mode & 0o777).toBe(0o600);
  });

  it("refuses a resource without a type before nixops import sees it, naming the line", () => {
    const state = State.fixture("vbox-none-2machines");
    state.resources("dev").set("broken", new Map([["vmId", "x"]]));
    const w = WrapperRepo.create(state.text());
    const r = w.run(["deploy"]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/:\d+:\d+: .*has no "type" \(nixops import fails/);
    expect(w.entries()).toEqual([]);
  });

  it("stops before nixops runs when the import fails, and says so", () => {
    const w = WrapperRepo.create(State.fixture("vbox-none-2machines").text(), { FAKE_NIXOPS_BREAK_IMPORT: "1" });
    const r = w.run(["deploy"]);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain("sqlite3.OperationalError: database or disk is full");
    expect(r.stderr).toContain(`nixops import of ${STATE} failed (exit 1); nixops was not run`);
    expect(w.entries().map((e) => e.command)).toEqual(["import"]);
    expect(existsSync(dirname(w.entries()[0].statefile))).toBe(false);
  });
});
