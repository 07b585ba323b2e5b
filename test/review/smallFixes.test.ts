// Review of 70ac940, e69fcc1, b5ff4f1, 1ac5a7d, 6ad34d7: each `it` shows one defect (the
// expectations state the behaviour as it is now, so they pass while the defect exists).

import { existsSync, mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { afterEach, describe, expect, it, vi } from "vitest";
import { parsePolicy } from "../../src/policy/parsePolicy";
import { readPolicyFile } from "../../src/policy/policyFile";
import { chooseProfile } from "../../src/profiles/table";
import { overlayOf } from "../../src/profiles/overlay";
import { mergeDocuments } from "../../src/core/mergeValues";
import { parseJson } from "../../src/formats/parseJson";
import { selectorPath } from "../../src/resolve/selectors";
import { childAt, elementSegment, identityOf, parseElementSegment } from "../../src/core/mergeKeyedArrays";
import { ABSENT } from "../../src/core/values";
import { StateLock } from "../../src/wrapper/lock";
import { runWrapped } from "../../src/wrapper/runWrapped";
import { TempRepo } from "../support/gitRepo";
import { runBin } from "../support/flowRepo";
import { FAKE_NIXOPS, STATE, STORE_ID } from "../support/wrapperRun";
import { State } from "../support/fixtures";

const doc = (v: unknown) => parseJson(JSON.stringify(v)).value;
const policyText = (entry: object) => JSON.stringify({ files: { "x.json": entry } }, null, 2);

describe("70ac940 volatile.add check", () => {
  it("accepts /tenants (the whole keyed array), and the merge then drops the tenant theirs added", () => {
    const read = parsePolicy(policyText({ profile: "json", keyedArrays: { "/tenants": "id" }, volatile: { add: ["/tenants"] } }), ".statefile-merge.json");
    expect(read.problems).toEqual([]);
    const entry = read.policy.entries[0];
    const base = doc({ tenants: [{ id: "a", plan: "x" }] });
    const ours = doc({ tenants: [{ id: "a", plan: "y" }] });
    const theirs = doc({ tenants: [{ id: "a", plan: "x" }, { id: "b", plan: "x" }] });
    const out = mergeDocuments(base, ours, theirs, chooseProfile(entry, [base, ours, theirs]).policy);
    expect(out.conflicts).toEqual([]);
    expect(JSON.stringify(out.merged)).not.toContain('"b"'); // theirs' new tenant b is gone
  });

  it('accepts "/resources/*" under "profile": "tfstate" (the row\'s own keyed array): a whole resource takes ours', () => {
    const read = parsePolicy(policyText({ profile: "tfstate", volatile: { add: ["/resources/*"] } }), ".statefile-merge.json");
    expect(read.problems).toEqual([]);
    const state = (ami: string) => doc({ version: 4, terraform_version: "1.5.0", serial: 1, lineage: "l", outputs: {}, resources: [{ mode: "managed", type: "aws_instance", name: "web", provider: "p", instances: [{ schema_version: 1, attributes: { ami } }] }] });
    const [base, ours, theirs] = [state("a"), state("b"), state("c")];
    const profile = chooseProfile(read.policy.entries[0], [base, ours, theirs]);
    const out = mergeDocuments(base, ours, theirs, profile.policy);
    expect(out.conflicts).toEqual([]); // without the policy: one conflict at ami
    expect(out.autoResolved.map((a) => a.path.length)).toEqual([2]); // the whole resource, ours
  });

  it('suggests "/tenants/globex/lastSeen" for "/tenants/globex", a pattern that matches no path', () => {
    const read = parsePolicy(policyText({ keyedArrays: { "/tenants": "id" }, volatile: { add: ["/tenants/globex"] } }), ".statefile-merge.json");
    expect(read.problems[0].message).toContain('such as "/tenants/globex/lastSeen"');
    const profile = chooseProfile(overlayOf({ keyedArrays: [{ pattern: ["tenants"], field: "id" }], volatile: { enabled: true, add: [["tenants", "globex", "lastSeen"]], remove: [] } }), []);
    expect(profile.policy.isVolatile(["tenants", '[id="globex"]', "lastSeen"])).toBe(false);
  });
});

describe("e69fcc1 policy file that is a link", () => {
  const repo = () => mkdtempSync(join(tmpdir(), "review-policy-"));
  it("a symbolic link loop is told to check its permissions", () => {
    const dir = repo();
    symlinkSync(".statefile-merge.json", join(dir, ".statefile-merge.json"));
    expect(readPolicyFile(dir)!.problems[0].message).toMatch(/^cannot be read \(ELOOP.*\); check its permissions$/);
  });
  it("a chain of links names an existing link as one that does not exist", () => {
    const dir = repo();
    symlinkSync("missing.json", join(dir, "middle.json"));
    symlinkSync("middle.json", join(dir, ".statefile-merge.json"));
    expect(existsSync(join(dir, "middle.json")) || require("node:fs").lstatSync(join(dir, "middle.json")).isSymbolicLink()).toBe(true);
    expect(readPolicyFile(dir)!.problems[0].message).toBe('is a symbolic link to "middle.json", which does not exist; fix the link or remove it');
  });
});

describe("b5ff4f1 identities shown and selected", () => {
  const tenants = chooseProfile(overlayOf({ keyedArrays: [{ pattern: ["tenants"], field: "id" }] }), []);
  it('an identity that is itself quoted ("\\"x\\"") is shown as "x", and the selector "x" (quoted) picks the other element', () => {
    const d = [doc({ tenants: [{ id: "x" }, { id: '"x"' }] })];
    const quotedSegment = elementSegment("id", JSON.stringify('"x"'));
    expect(tenants.describePath(["tenants", quotedSegment], d)).toBe('/tenants/"x"');
    expect(selectorPath('tenants/"x"', tenants, d)).toEqual(["tenants", '[id="x"]']); // not the one shown as "x"
  });
  it('tenants/1 still settles the string "1" when no number 1 is there (docs: "tenants/1 is the number 1")', () => {
    expect(selectorPath("tenants/1", tenants, [doc({ tenants: [{ id: "1" }] })])).toEqual(["tenants", '[id="1"]']);
  });
  it("(pre-existing) a composite identity whose first value is a string is no element segment: childAt finds nothing", () => {
    const arr = doc([{ module: "module.a", mode: "managed", type: "t", name: "w" }]);
    const field = ["module", "mode", "type", "name"];
    const seg = elementSegment(field, identityOf((arr as never[])[0], field)!);
    expect(parseElementSegment(seg)).toBeNull();
    expect(childAt(arr, seg)).toBe(ABSENT);
  });
});

describe("1ac5a7d lock.record inside onSpawn", () => {
  const saved = { ...process.env };
  afterEach(() => {
    vi.restoreAllMocks();
    process.env = saved;
  });
  it("a failing record({ nixops }) (a full disk) leaves nixops running with its private directory deleted and the lock released", async () => {
    const repo = TempRepo.create();
    repo.write(STATE, State.fixture("vbox-none-2machines").text()).commit("state");
    const log = join(repo.dir, "..", "fake.log");
    process.env = { ...repo.env, FAKE_NIXOPS_LOG: log, FAKE_NIXOPS_STORE_ID: STORE_ID };
    let privateDir = "";
    const real = StateLock.prototype.record;
    vi.spyOn(StateLock.prototype, "record").mockImplementation(function (this: StateLock, more) {
      if (more.privateDir) privateDir = more.privateDir;
      if (more.nixops !== undefined) throw Object.assign(new Error("ENOSPC: no space left on device, write"), { code: "ENOSPC" });
      return real.call(this, more);
    });
    // nixops as a script that, for `sleep`, just waits (so it does not need its statefile) and says its pid.
    const bin = mkdtempSync(join(tmpdir(), "review-nixops-"));
    const pidFile = join(bin, "pid");
    const nixops = join(bin, "nixops");
    writeFileSync(nixops, `#!/bin/sh\ncase " $* " in *" sleep "*) echo $$ > ${pidFile}; exec sleep 5;; *) exec ${FAKE_NIXOPS} "$@";; esac\n`, { mode: 0o755 });
    const lines: string[] = [];
    const status = await runWrapped({ stateFile: join(repo.dir, STATE), nixopsArgs: ["sleep", "5"], nixops, commit: false, remoteLock: false, forceUnlock: false, staleAfterMs: 1e9, allowBehind: true }, { stderr: (l) => lines.push(l) });
    expect(status).toBe(1);
    expect(lines.join("\n")).toContain("internal error: ENOSPC");
    const { readFileSync, readdirSync } = await import("node:fs");
    for (let i = 0; i < 100 && !existsSync(pidFile); i++) await new Promise((r) => setTimeout(r, 50));
    const sleeper = Number(readFileSync(pidFile, "utf8"));
    let alive = false;
    try {
      process.kill(sleeper, 0);
      alive = true;
    } catch {
      alive = false;
    }
    expect(alive).toBe(true); // nixops still deploys...
    expect(existsSync(privateDir)).toBe(false); // ...on a statefile whose directory was removed
    expect(existsSync(join(repo.dir, ".git", "statefile-merge", "locks"))).toBe(true);
    expect(readdirSync(join(repo.dir, ".git", "statefile-merge", "locks"))).toEqual([]); // and no lock holds the file
    process.kill(sleeper, "SIGKILL");
  }, 30_000);
});

describe("6ad34d7 install --global and the system config", () => {
  function repoWithSystem(value: string): TempRepo {
    const repo = TempRepo.create();
    delete repo.env.XDG_CONFIG_HOME;
    const system = join(repo.env.HOME!, "system-gitconfig");
    writeFileSync(system, `[core]\n\tattributesFile = ${value}\n`);
    repo.env.GIT_CONFIG_SYSTEM = system;
    return repo;
  }
  const effective = (repo: TempRepo) => spawnSync("git", ["config", "--get", "core.attributesFile"], { cwd: repo.dir, env: repo.env, encoding: "utf8" });

  it("refuses under GIT_CONFIG_NOSYSTEM=1, where Git reads no system config (so it reads the user's default file)", () => {
    const repo = repoWithSystem("/srv/site-attributes");
    expect(repo.env.GIT_CONFIG_NOSYSTEM).toBe("1");
    expect(effective(repo).status).toBe(1); // Git itself sees no core.attributesFile
    const r = runBin(repo, ["install", "--global"]);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain("the system config sets core.attributesFile to /srv/site-attributes");
  });

  it("refuses when the system config names each user's own file (~/.gitattributes), which Git reads", () => {
    const repo = repoWithSystem("~/.gitattributes");
    delete repo.env.GIT_CONFIG_NOSYSTEM;
    expect(effective(repo).stdout.trim()).toBe("~/.gitattributes");
    const r = runBin(repo, ["install", "--global"]);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain(`to ${repo.env.HOME}/.gitattributes, so Git reads no attributes file of your own`);
  });
});
