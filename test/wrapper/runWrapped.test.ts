import { describe, expect, it } from "vitest";
import { existsSync, rmSync, statSync } from "node:fs";
import { dirname, join } from "node:path";
import { State, fixtureText } from "../support/fixtures";
import { lockPathFor } from "../../src/wrapper/lock";
import { STATE, WrapperRepo, deployed, machinesOf } from "../support/wrapperRun";


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
    expect(r.stderr).toContain("does not exist yet");
    expect(w.entries().map((e) => e.command)).not.toContain("import");
    const doc = JSON.parse(w.state());
    const uuid = r.stdout.trim();
    expect(doc).toEqual({ [uuid]: { name: "fresh", resources: {} } });
    expect(statSync(join(w.repo.dir, STATE)).mode & 0o777).toBe(0o600);
  });

  it("when the export fails, keeps the file and the statefile (the only copy of the new state), and says where", () => {
    const w = WrapperRepo.create(fixtureText("ec2-prod-5machines"), { FAKE_NIXOPS_BREAK_EXPORT: "1" });
    const r = w.run(["deploy", "-d", "prod"]);
    expect(r.status).toBe(1);
    expect(w.state()).toBe(fixtureText("ec2-prod-5machines"));
    const sf = w.entries()[0].statefile;
    expect(r.stderr).toContain(`nixops export --all failed (exit 1); ${STATE} is unchanged`);
    expect(r.stderr).toContain(`kept at ${sf}`);
    expect(existsSync(sf)).toBe(true);
    expect(statSync(dirname(sf)).mode & 0o777).toBe(0o700);
    rmSync(dirname(sf), { recursive: true, force: true });
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
