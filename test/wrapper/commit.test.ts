import { describe, expect, it } from "vitest";
import { statSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { State, fixtureText } from "../support/fixtures";
import { STATE, WrapperRepo } from "../support/wrapperRun";

describe("statefile-merge nixops --commit", () => {
  it("commits the state file alone, naming the command and the deployments whose state changed", () => {
    const w = WrapperRepo.create(fixtureText("hetzner-hcloud-multitenant"));
    const acme = State.fixture("hetzner-hcloud-multitenant").uuid("tenant-acme");
    w.repo.write("notes.txt", "staged, not mine to commit\n").git("add", "notes.txt");
    const r = w.run(["deploy", "-d", "tenant-acme"], ["--commit"]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toContain(`committed ${STATE}`);

    const message = w.repo.git("log", "-1", "--format=%B");
    expect(message.split("\n")[0]).toBe("nixops deploy -d tenant-acme: state of tenant-acme changed");
    expect(message).toContain(`- tenant-acme (${acme}): changed`);
    expect(message).not.toContain("tenant-globex");
    expect(w.repo.git("show", "--name-only", "--format=", "HEAD").trim()).toBe(STATE);
    expect(w.repo.git("diff", "--cached", "--name-only").trim()).toBe("notes.txt");
    expect(w.repo.git("status", "--porcelain", "--", STATE)).toBe("");
  });

  it("names added deployments, and hides --arg/--argstr values (they can be secrets)", () => {
    const w = WrapperRepo.create(fixtureText("vbox-none-2machines"));
    const r = w.run(["set-args", "-d", "dev", "--argstr", "apiToken", "hunter2-secret"], ["--commit"]);
    expect(r.status, r.stderr).toBe(0);
    const message = w.repo.git("log", "-1", "--format=%B");
    expect(message.split("\n")[0]).toBe("nixops set-args -d dev --argstr apiToken <hidden>: state of dev changed");
    expect(message).not.toContain("hunter2");
    expect(w.state()).toContain("hunter2-secret"); // the state itself keeps it, as nixops does

    const created = w.run(["create", "-d", "staging"], ["--commit"]);
    expect(created.status, created.stderr).toBe(0);
    expect(w.repo.git("log", "-1", "--format=%B")).toContain(`- staging (${created.stdout.trim()}): added`);
  });

  it("records a failed run's state with the exit status in the message", () => {
    const w = WrapperRepo.create(fixtureText("vbox-none-2machines"));
    const r = w.run(["fail", "-d", "dev"], ["--commit"]);
    expect(r.status).toBe(3);
    expect(w.repo.git("log", "-1", "--format=%B")).toContain("nixops exited with status 3");
  });

  it("a commit that fails without a word (a silent hook) is reported with git's exit status; the file stays written", () => {
    const w = WrapperRepo.create(fixtureText("vbox-none-2machines"));
    writeFileSync(join(w.repo.dir, ".git", "hooks", "pre-commit"), "#!/bin/sh\nexit 1\n", { mode: 0o755 });
    const r = w.run(["deploy", "-d", "dev", "--include", "web"], ["--commit"]);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain(`git commit of ${STATE} failed: git exited with status 1; the state file is written, commit it by hand`);
    expect(w.state()).not.toBe(fixtureText("vbox-none-2machines"));
  });

  it("makes no commit when nothing changed", () => {
    const w = WrapperRepo.create(fixtureText("vbox-none-2machines"));
    const head = w.repo.git("rev-parse", "HEAD");
    const r = w.run(["list"], ["--commit"]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toContain("no changes to commit");
    expect(w.repo.git("rev-parse", "HEAD")).toBe(head);
  });

  it("refuses, before nixops runs, to deploy with --commit while the file holds edits of the user's own (the commit would take them in unnamed)", () => {
    const w = WrapperRepo.create(fixtureText("hetzner-hcloud-multitenant"));
    const edited = State.fixture("hetzner-hcloud-multitenant");
    for (const [uuid, d] of edited.doc) if ((d as Map<string, unknown>).get("name") === "shared-db") edited.doc.delete(uuid);
    w.repo.write(STATE, edited.text());
    const head = w.repo.git("rev-parse", "HEAD");
    const r = w.run(["deploy", "-d", "tenant-acme"], ["--commit"]);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain(`${STATE} has changes that are not committed (git status lists them), which --commit would commit`);
    expect(w.entries()).toEqual([]);
    expect(w.repo.git("rev-parse", "HEAD")).toBe(head);
    expect(w.state()).toBe(edited.text());
    // Staged counts too; committed, the run goes on.
    w.repo.git("add", STATE);
    expect(w.run(["deploy", "-d", "tenant-acme"], ["--commit"]).status).toBe(2);
    w.repo.git("commit", "-q", "-m", "remove shared-db");
    const ok = w.run(["deploy", "-d", "tenant-acme"], ["--commit"]);
    expect(ok.status, ok.stderr).toBe(0);
    expect(w.repo.git("show", "--stat", "--format=%s", "HEAD")).toMatch(/state of tenant-acme changed/);
  });

  it("refuses, before nixops runs, --commit of a file Git ignores", () => {
    const w = WrapperRepo.create(null);
    w.repo.write(".gitignore", `${STATE}\n`).commit("ignore the state file");
    w.repo.write(STATE, fixtureText("vbox-none-2machines"));
    const r = w.run(["deploy", "-d", "dev"], ["--commit"]);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain(`${STATE} is ignored by Git (a .gitignore line), so the run could not commit it (--commit, --push)`);
    expect(w.entries()).toEqual([]);
  });

  it("commits the file a symbolic link --state names (git would commit the unchanged link)", () => {
    const w = WrapperRepo.create(null);
    w.repo.write("state/real.json", fixtureText("vbox-none-2machines"));
    symlinkSync("state/real.json", join(w.repo.dir, STATE));
    w.repo.git("add", "-A");
    w.repo.git("commit", "-q", "-m", "state behind a link");
    const r = w.run(["deploy", "-d", "dev"], ["--commit"]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toContain(`committed ${STATE}`);
    expect(w.repo.git("status", "--porcelain")).toBe("");
    expect(w.repo.git("show", "--name-only", "--format=", "HEAD").trim()).toBe("state/real.json");
  });

  it("leaves the user's umask to what it writes in the repository (a clone several users share), and nixops its private one", () => {
    const w = WrapperRepo.create(fixtureText("vbox-none-2machines"));
    const umask = process.umask(); // the runs below inherit it
    const r = w.run(["deploy", "-d", "dev"], ["--commit"]);
    expect(r.status, r.stderr).toBe(0);
    const commit = w.repo.git("rev-parse", "HEAD").trim();
    const object = join(w.repo.dir, ".git", "objects", commit.slice(0, 2), commit.slice(2));
    expect(statSync(object).mode & 0o777).toBe(0o444 & ~umask);
    expect(statSync(join(w.repo.dir, ".git", "statefile-merge", "locks")).mode & 0o777).toBe(0o777 & ~umask);
    // nixops' statefile, made under its own umask: private.
    expect(w.entries().find((e) => e.event === "end" && e.command === "deploy")?.fileMode).toBe("600");
  });

  it("does not commit the user's own uncommitted edits of the file when nixops changed nothing", () => {
    const w = WrapperRepo.create(fixtureText("vbox-none-2machines"));
    const edited = State.fixture("vbox-none-2machines").set("dev", null, "description", "edited by hand").text();
    w.repo.write(STATE, edited);
    const head = w.repo.git("rev-parse", "HEAD");
    const r = w.run(["list"], ["--commit"]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toContain("no changes to commit");
    expect(w.repo.git("rev-parse", "HEAD")).toBe(head);
    expect(w.repo.git("diff", "--cached", "--name-only")).toBe("");
    expect(w.state()).toBe(edited);
  });
});
