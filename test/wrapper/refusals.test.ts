import { describe, expect, it } from "vitest";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, symlinkSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { hostname } from "node:os";
import { spawn, spawnSync } from "node:child_process";
import { dirname, join } from "node:path";
import { State, fixtureText } from "../support/fixtures";
import { lockPathFor, removeStale, StateLock } from "../../src/wrapper/lock";
import { isAlive } from "../../src/io/staleTemps";
import { processStart } from "../../src/io/processStart";
import { PROC_STARTS, tickEarlier } from "../support/processStarts";
import { GITCRYPT_HEADER } from "../../src/crypt/gitCrypt";
import { FAKE_NIXOPS, STATE, WrapperRepo } from "../support/wrapperRun";

const base = () => State.fixture("vbox-none-2machines");

/** A real conflicted merge of the state file, made by Git's own text merge (no driver configured). */
function conflictedRepo(): WrapperRepo {
  const w = WrapperRepo.create(base().text());
  const repo = w.repo;
  repo.git("checkout", "-q", "-b", "other");
  repo.write(STATE, base().set("dev", "web", "publicIpv4", "10.0.0.2").text()).commit("theirs");
  repo.git("checkout", "-q", "main");
  repo.write(STATE, base().set("dev", "web", "publicIpv4", "10.0.0.3").text()).commit("ours");
  expect(repo.tryGit("merge", "other").status).toBe(1);
  return w;
}

describe("statefile-merge nixops refuses to start", () => {
  it("on a file that holds conflict markers, naming the line, without running nixops", () => {
    const w = conflictedRepo();
    const text = w.state();
    const line = text.split("\n").findIndex((l) => l.startsWith("<<<<<<<")) + 1;
    expect(line).toBeGreaterThan(1);
    w.repo.git("add", STATE); // marked resolved in the index, but the markers are still there
    const r = w.run(["deploy"]);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain(`${STATE}:${line}: holds a conflict marker`);
    expect(w.entries()).toEqual([]);
    expect(w.state()).toBe(text);
  });

  it("while a merge of the file is in progress (unmerged index entries), even once the markers are gone", () => {
    const w = conflictedRepo();
    const resolved = base().set("dev", "web", "publicIpv4", "10.0.0.3").text();
    w.repo.write(STATE, resolved);
    expect(w.repo.unmerged()).toEqual([STATE]);
    const r = w.run(["deploy"]);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain(`${STATE} has an unfinished merge`);
    expect(w.entries()).toEqual([]);
    w.repo.git("add", STATE);
    expect(w.run(["deploy"]).status).toBe(0);
  });

  it("on git-crypt ciphertext (a locked repository)", () => {
    const w = WrapperRepo.create(null);
    writeFileSync(join(w.repo.dir, STATE), Buffer.concat([GITCRYPT_HEADER, Buffer.from("0123456789ab\x00\x01")]));
    const r = w.run(["deploy"]);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain("git-crypt ciphertext (the repository is locked); run git-crypt unlock first");
    expect(w.entries()).toEqual([]);
  });

  it("on a file that is not JSON, naming line and column", () => {
    const w = WrapperRepo.create(base().text().replace('"name": "dev"', '"name": dev'));
    const r = w.run(["deploy"]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(new RegExp(`${STATE.replace(/\./g, "\\.")}:\\d+:\\d+: not valid JSON`));
  });

  it("on a file that is not JSON, with a command to restore it that a shell reads as written, spaces and all", () => {
    const w = WrapperRepo.create(null);
    const odd = "my state's.nixops.json";
    w.repo.write(odd, base().text()).commit("state");
    writeFileSync(join(w.repo.dir, odd), base().text().replace('"name": "dev"', '"name": dev'));
    const r = w.run(["deploy"], [], {}, { state: odd });
    expect(r.status).toBe(2);
    const restore = /restore it with (git checkout -- .*)$/m.exec(r.stderr)?.[1];
    expect(restore).toBe(`git checkout -- 'my state'\\''s.nixops.json'`);
    expect(spawnSync("sh", ["-c", restore as string], { cwd: w.repo.dir, env: w.env }).status).toBe(0);
    expect(readFileSync(join(w.repo.dir, odd), "utf8")).toBe(base().text());
  });

  it("on a resource written twice (nixops import would keep one and drop a machine), naming the line", () => {
    const text = base().text();
    const at = text.indexOf('"resources": {\n') + '"resources": {\n'.length;
    const twice = text.slice(0, at) + '      "web": {\n        "type": "none"\n      },\n' + text.slice(at);
    const w = WrapperRepo.create(twice);
    const r = w.run(["deploy"], ["--commit"]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(new RegExp(`${STATE.replace(/\./g, "\\.")}:\\d+:\\d+: key "web" is written 2 times`));
    expect(w.entries()).toEqual([]);
    expect(w.state()).toBe(twice);
  });

  it("on a value nixops import cannot store (a number), naming the line, without running nixops", () => {
    const w = WrapperRepo.create(base().set("dev", "web", "publicIpv4", "10.0.0.2").text().replace('"10.0.0.2"', "12"));
    const r = w.run(["deploy"]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/:\d+:\d+: .*not a string/);
    expect(w.entries()).toEqual([]);
  });

  it("without nixops: not on PATH, or a --nixops path that is not there, each says what to give", () => {
    const w = WrapperRepo.create(base().text());
    const bin = w.args(["info"]).filter((a, i, all) => a !== "--nixops" && all[i - 1] !== "--nixops");
    const noNixops = spawnSync(process.execPath, bin, { cwd: w.repo.dir, env: { ...w.env, PATH: `${dirname(process.execPath)}:/usr/bin:/bin` }, encoding: "utf8" });
    expect(noNixops.status).toBe(2);
    expect(noNixops.stderr).toBe("statefile-merge: nixops is not on PATH; put nixops on PATH or give --nixops PATH\n");
    const gone = w.run(["info"], ["--nixops", "/no/such/dir/nixops"]);
    expect(gone.status).toBe(2);
    expect(gone.stderr).toBe("statefile-merge: cannot run /no/such/dir/nixops (no such file); give --nixops the path of a nixops executable\n");
  });

  it("on --state naming a directory", () => {
    const w = WrapperRepo.create(base().text());
    const r = w.run(["deploy"], [], {}, { state: "." });
    expect(r.status).toBe(2);
    expect(r.stderr).toContain("statefile-merge: . is not a file; --state names the state file");
  });

  it("on a file git-crypt should encrypt in a repository never unlocked, even before it exists (a commit would store it in plaintext)", () => {
    const w = WrapperRepo.create(null);
    w.repo.write(".gitattributes", "*.nixops.json filter=git-crypt diff=git-crypt\n").commit("encrypt state");
    const r = w.run(["create", "-d", "staging"], ["--commit"]);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain(`${STATE} is encrypted by git-crypt (filter=git-crypt), but the repository is locked`);
    expect(existsSync(join(w.repo.dir, STATE))).toBe(false);
    expect(w.entries()).toEqual([]);
  });

  it("on a -s given to nixops (the wrapper picks the statefile)", () => {
    const w = WrapperRepo.create(base().text());
    const r = w.run(["deploy", "-s", "/tmp/other.nixops"]);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain("do not pass -s to a wrapped nixops");
  });
});

describe("the lock on a state file", () => {
  it("stops a second run while the first holds it, naming the holder", async () => {
    const w = WrapperRepo.create(base().text());
    const first = w.start(["sleep", "30"]);
    try {
      await w.waitFor("sleeping");
      const r = w.run(["deploy"]);
      expect(r.status).toBe(2);
      expect(r.stderr).toContain(`${STATE} is locked by a wrapped nixops run: pid ${first.child.pid} on ${hostname()}, "nixops sleep 30", since 20`);
      expect(r.stderr).toContain(lockPathFor(join(w.repo.dir, STATE)));
      expect(w.entries().filter((e) => e.event === "start").map((e) => e.command)).toEqual(["import", "sleep"]);
    } finally {
      process.kill(-(first.child.pid as number), "SIGINT");
      await first.done;
    }
    expect(existsSync(lockPathFor(join(w.repo.dir, STATE)))).toBe(false);
    expect(w.run(["deploy"]).status).toBe(0);
  });

  it("stays while the nixops of a wrapper killed outright still runs, then points to the state that run left", async () => {
    const w = WrapperRepo.create(base().text());
    const first = w.start(["sleep", "30"]);
    const wrapper = first.child.pid as number;
    try {
      await w.waitFor("sleeping");
      // kill -9 of the wrapper alone: its nixops keeps deploying, orphaned.
      const exited = new Promise((done) => first.child.once("exit", done));
      process.kill(wrapper, "SIGKILL");
      await exited; // not `done`: the orphan still holds the wrapper's output open
      const nixops = (JSON.parse(readFileSync(lockPathFor(join(w.repo.dir, STATE)), "utf8")) as { nixops: number }).nixops;
      expect(isAlive(nixops)).toBe(true);
      const r = w.run(["deploy"]);
      expect(r.status).toBe(2);
      expect(r.stderr).toContain(`the wrapped run pid ${wrapper} ("nixops sleep 30", since 20`);
      expect(r.stderr).toContain(`but the nixops it started (pid ${nixops}) still runs; wait for it to finish`);
      expect(w.entries().filter((e) => e.event === "start").map((e) => e.command)).toEqual(["import", "sleep"]);
    } finally {
      process.kill(-wrapper, "SIGINT");
      await first.done;
    }
    // Once it has ended, runs stop until the state that run left is merged in (or given up).
    const lock = JSON.parse(readFileSync(lockPathFor(join(w.repo.dir, STATE)), "utf8")) as { nixops: number; privateDir: string };
    for (let waited = 0; isAlive(lock.nixops) && waited < 200; waited++) await new Promise((done) => setTimeout(done, 50));
    const left = lock.privateDir;
    for (const args of [["deploy"], ["info"]]) {
      const r = w.run(args);
      expect(r.status).toBe(2);
      expect(r.stderr).toContain(
        `the last wrapped run on ${STATE} (pid ${wrapper}, "nixops sleep 30", since 20`,
      );
      expect(r.stderr).toContain(
        `ended without saving its state, which is left in ${left} (private; it holds secrets): bring it into ${STATE} with statefile-merge recover --state ${join(realpathSync(w.repo.dir), STATE)} --nixops ${FAKE_NIXOPS}, ` +
          `which merges it in and then deletes ${left}; then run again (or delete ${left} to go on without it)`,
      );
    }
    expect(w.entries().filter((e) => e.event === "start").map((e) => e.command)).toEqual(["import", "sleep"]);
    // The base it names is the file as that run found it.
    expect(readFileSync(join(left, "started-from.json"), "utf8")).toBe(base().text());
    rmSync(left, { recursive: true, force: true });
    const r = w.run(["deploy"]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toContain(`removing a stale lock on ${STATE}: pid ${wrapper}`);
  });

  it("leaves no pointer to its state once the file holds it, and notes in the lock only what it can", () => {
    const w = WrapperRepo.create(base().text());
    expect(w.run(["deploy"]).status).toBe(0);
    const lock = StateLock.acquire(join(w.repo.dir, STATE), "test", () => undefined);
    expect(lock.record({ privateDir: "/nonexistent/x" })).toBe(true);
    expect(lock.record({ privateDir: undefined })).toBe(true);
    expect(Object.keys(JSON.parse(readFileSync(lock.path, "utf8")) as object)).not.toContain("privateDir");
    // Someone removed the lock meanwhile: nothing is written, and the run goes on.
    rmSync(lock.path);
    expect(lock.record({ nixops: 1 })).toBe(false);
    expect(existsSync(lock.path)).toBe(false);
  });

  it("lives in the Git directory, not in the work tree", () => {
    const w = WrapperRepo.create(base().text());
    const lock = lockPathFor(join(w.repo.dir, STATE));
    expect(lock.startsWith(join(w.repo.dir, ".git") + "/")).toBe(true);
  });

  it("is one lock for one file, by whatever path (through a symbolic link) it is named", () => {
    const w = WrapperRepo.create(base().text());
    const link = join(mkdtempSync(join(tmpdir(), "statefile-merge-link-")), "clone");
    symlinkSync(w.repo.dir, link);
    expect(lockPathFor(join(link, STATE))).toBe(lockPathFor(join(w.repo.dir, STATE)));
  });

  it("replaces a stale lock left by a dead process on this host, and says so", () => {
    const w = WrapperRepo.create(base().text());
    const dead = spawnSync(process.execPath, ["-e", "process.stdout.write(String(process.pid))"], { encoding: "utf8" });
    const pid = Number(dead.stdout);
    const lock = lockPathFor(join(w.repo.dir, STATE));
    mkdirSync(dirname(lock), { recursive: true });
    writeFileSync(lock, JSON.stringify({ pid, host: hostname(), command: "nixops deploy", started: "2020-01-01T00:00:00.000Z", file: STATE }));
    const r = w.run(["deploy"]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toContain(`removing a stale lock on ${STATE}: pid ${pid} (nixops deploy, 2020-01-01T00:00:00.000Z) is no longer running`);
    expect(existsSync(lock)).toBe(false);
  });

  it.runIf(PROC_STARTS)("takes a lock whose holder's pid now names a later process as stale (pid reused), and keeps one whose holder still runs", async () => {
    const w = WrapperRepo.create(base().text());
    const lock = lockPathFor(join(w.repo.dir, STATE));
    mkdirSync(dirname(lock), { recursive: true });
    // A real process holds the pid; the lock says its holder started then, or a tick earlier.
    const other = spawn("sleep", ["30"], { stdio: "ignore" });
    try {
      await new Promise((done) => other.once("spawn", done));
      const pid = other.pid as number;
      const start = processStart(pid) as string;
      const holder = (pidStart: string) => ({ pid, pidStart, host: hostname(), command: "nixops deploy", started: "2020-01-01T00:00:00.000Z", file: STATE });
      writeFileSync(lock, JSON.stringify(holder(start)));
      const held = w.run(["deploy"]);
      expect(held.status).toBe(2);
      expect(held.stderr).toContain(`is locked by a wrapped nixops run: pid ${pid} on ${hostname()}`);
      writeFileSync(lock, JSON.stringify(holder(tickEarlier(start))));
      const r = w.run(["deploy"]);
      expect(r.status, r.stderr).toBe(0);
      expect(r.stderr).toContain(`removing a stale lock on ${STATE}: pid ${pid} (nixops deploy, 2020-01-01T00:00:00.000Z) is no longer running`);
      // Nor is a nixops pid that now names a later process taken for the killed run's nixops.
      writeFileSync(lock, JSON.stringify({ ...holder(tickEarlier(start)), nixops: pid, nixopsStart: tickEarlier(start) }));
      const again = w.run(["deploy"]);
      expect(again.status, again.stderr).toBe(0);
      expect(again.stderr).not.toContain("still runs");
    } finally {
      other.kill();
    }
  });

  it("records when the wrapper and its nixops started, beside their pids", async () => {
    const w = WrapperRepo.create(base().text());
    const first = w.start(["sleep", "30"]);
    try {
      await w.waitFor("sleeping");
      const held = JSON.parse(readFileSync(lockPathFor(join(w.repo.dir, STATE)), "utf8")) as { pid: number; pidStart?: string; nixops: number; nixopsStart?: string };
      expect(held.pidStart).toBe(processStart(held.pid));
      expect(held.nixopsStart).toBe(processStart(held.nixops));
    } finally {
      process.kill(-(first.child.pid as number), "SIGINT");
      await first.done;
    }
  });

  it("does not take over a lock held from another host", () => {
    const w = WrapperRepo.create(base().text());
    const lock = lockPathFor(join(w.repo.dir, STATE));
    mkdirSync(dirname(lock), { recursive: true });
    writeFileSync(lock, JSON.stringify({ pid: 1, host: "elsewhere.example", command: "nixops deploy", started: "2020-01-01T00:00:00.000Z", file: STATE }));
    const r = w.run(["deploy"]);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain("pid 1 on elsewhere.example");
    expect(existsSync(lock)).toBe(true);
  });
});

it("the stand-in's import refuses a UUID already in the statefile, as NixOps does", () => {
  const w = WrapperRepo.create(fixtureText("vbox-none-2machines"));
  const statefile = join(dirname(w.log), "twice.nixops");
  const env = { ...w.env, NIXOPS_STATE: statefile };
  const fake = join(__dirname, "..", "support", "fake-nixops");
  const input = fixtureText("vbox-none-2machines");
  expect(spawnSync(fake, ["import"], { env, input }).status).toBe(0);
  const again = spawnSync(fake, ["import"], { env, input, encoding: "utf8" });
  expect(again.status).toBe(1);
  expect(again.stderr).toContain(`state file already contains a deployment with UUID ‘${base().uuid("dev")}’`);
});

describe("removing a stale lock", () => {
  const holder = (pid: number, started: string) => ({ pid, host: hostname(), command: "nixops deploy", started, file: STATE });
  const setUp = () => {
    const dir = mkdtempSync(join(tmpdir(), "statefile-merge-lock-"));
    const path = join(dir, "state.lock");
    const temp = join(dir, "mine.tmp");
    writeFileSync(temp, JSON.stringify(holder(process.pid, "2026-01-01T00:00:00.000Z")));
    return { path, temp };
  };

  it("removes it only while it still names the stale holder: a lock another run took meanwhile stays", () => {
    const { path, temp } = setUp();
    const stale = holder(999_999_999, "2020-01-01T00:00:00.000Z");
    writeFileSync(path, JSON.stringify(holder(process.pid, "2026-12-01T00:00:00.000Z")));
    expect(removeStale(path, temp, stale)).toBe(false);
    expect(existsSync(path)).toBe(true);
    writeFileSync(path, JSON.stringify(stale));
    expect(removeStale(path, temp, stale)).toBe(true);
    expect(existsSync(path)).toBe(false);
    expect(existsSync(`${path}.break`)).toBe(false);
  });

  it("waits while another run is removing it, and takes over a mark that run left long ago", () => {
    const { path, temp } = setUp();
    const stale = holder(999_999_999, "2020-01-01T00:00:00.000Z");
    writeFileSync(path, JSON.stringify(stale));
    writeFileSync(`${path}.break`, "another run");
    expect(removeStale(path, temp, stale)).toBe(false);
    expect(existsSync(path)).toBe(true);
    const old = new Date(Date.now() - 60_000);
    utimesSync(`${path}.break`, old, old);
    expect(removeStale(path, temp, stale)).toBe(false); // the old mark removed; the next look takes it
    expect(removeStale(path, temp, stale)).toBe(true);
  });
});
