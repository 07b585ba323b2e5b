// A tenant registry merged by `git merge` with the driver configured and a policy file
// committed at the repository root: the real git, the built bin, temporary repositories.

import { describe, expect, it } from "vitest";
import { TempRepo } from "../../support/gitRepo";
import { copy, find, parsePlain, registry, takeSide, tenant, text, type Registry } from "../../support/tenants";

const POLICY = JSON.stringify(
  {
    files: {
      "tenants.json": { profile: "json", keyedArrays: { "/tenants": "id", "/tenants/*/domains": "name" } },
    },
  },
  null,
  2,
);

interface Merge {
  repo: TempRepo;
  status: number;
  stderr: string;
  result: string;
}

/** Base on main, theirs on a branch, ours on main; then `git merge theirs`. */
function mergeBranches(base: Registry, ours: Registry, theirs: Registry, options: { policy?: string | null; file?: string } = {}): Merge {
  const file = options.file ?? "tenants.json";
  const repo = TempRepo.create().configureDriver(file);
  const policy = options.policy === undefined ? POLICY : options.policy;
  if (policy !== null) repo.write(".statefile-merge.json", policy);
  repo.write(file, text(base)).commit("Export the tenant registry");
  repo.git("checkout", "-q", "-b", "theirs");
  repo.write(file, text(theirs)).commit("Their tenants");
  repo.git("checkout", "-q", "main");
  repo.write(file, text(ours)).commit("Our tenants");
  const r = repo.tryGit("merge", "theirs");
  return { repo, status: r.status, stderr: r.stderr, result: repo.read(file) };
}

const ids = (r: Registry) => r.tenants.map((t) => t.id);

describe("tenant registry merged by git with a keyed-array policy", () => {
  it("two branches adding tenants merge cleanly, both kept, in a stable order", () => {
    const base = registry("acme", "globex");
    const ours = copy(base);
    ours.tenants.push(tenant("hooli"));
    const theirs = copy(base);
    theirs.tenants.splice(1, 0, tenant("initech"));
    theirs.tenants.push(tenant("umbrella"));
    const m = mergeBranches(base, ours, theirs);
    expect(m.stderr).toBe("");
    expect(m.status).toBe(0);
    expect(m.repo.unmerged()).toEqual([]);
    const result = parsePlain(m.result) as Registry;
    expect(ids(result)).toEqual(["acme", "initech", "globex", "umbrella", "hooli"]);
    expect(m.repo.git("log", "-1", "--format=%P").trim().split(" ")).toHaveLength(2);
  });

  it("without the policy file the same merge conflicts (arrays are atomic by default)", () => {
    const base = registry("acme");
    const ours = copy(base);
    ours.tenants.push(tenant("hooli"));
    const theirs = copy(base);
    theirs.tenants.push(tenant("initech"));
    const m = mergeBranches(base, ours, theirs, { policy: null });
    expect(m.status).not.toBe(0);
    expect(m.repo.unmerged()).toEqual(["tenants.json"]);
    expect(m.stderr).toMatch(/CONFLICT \(modify\/modify.*\) in \/tenants:/);
  });

  it("one branch deleting a tenant and the other changing it conflicts at that tenant only", () => {
    const base = registry("acme", "globex", "initech");
    const ours = copy(base);
    ours.tenants = ours.tenants.filter((t) => t.id !== "globex");
    const theirs = copy(base);
    find(theirs, "globex").plan = "enterprise";
    find(theirs, "initech").name = "Initech LLC";
    const m = mergeBranches(base, ours, theirs);
    expect(m.status).toBe(1);
    expect(m.repo.unmerged()).toEqual(["tenants.json"]);
    expect(m.stderr).toContain('CONFLICT (delete/modify, deleted in ours, changed in theirs) in /tenants/globex:');
    expect(m.stderr.match(/CONFLICT/g)).toHaveLength(1);
    const o = parsePlain(takeSide(m.result, "ours")) as Registry;
    const t = parsePlain(takeSide(m.result, "theirs")) as Registry;
    expect(ids(o)).toEqual(["acme", "initech"]);
    expect(find(t, "globex").plan).toBe("enterprise");
    // The clean change to another tenant is in both.
    expect([find(o, "initech").name, find(t, "initech").name]).toEqual(["Initech LLC", "Initech LLC"]);
  });

  it("both changing different fields of the same tenant merge cleanly", () => {
    const base = registry("acme", "globex");
    const ours = copy(base);
    find(ours, "acme").plan = "enterprise";
    const theirs = copy(base);
    find(theirs, "acme").name = "ACME Corporation";
    const m = mergeBranches(base, ours, theirs);
    expect(m.status).toBe(0);
    expect(find(parsePlain(m.result) as Registry, "acme")).toEqual({ ...tenant("acme"), plan: "enterprise", name: "ACME Corporation" });
  });

  it("both changing the same field conflict at that field", () => {
    const base = registry("acme", "globex");
    const ours = copy(base);
    find(ours, "acme").plan = "enterprise";
    const theirs = copy(base);
    find(theirs, "acme").plan = "free";
    find(theirs, "acme").name = "ACME Corporation";
    const m = mergeBranches(base, ours, theirs);
    expect(m.status).toBe(1);
    expect(m.stderr).toContain('CONFLICT (modify/modify, changed on both sides) in /tenants/acme/plan: ours made it "enterprise"; theirs made it "free"');
    // The hunk holds the plan line only.
    const hunk = /<{7}[^\n]*\n([\s\S]*?)\n={7}\n([\s\S]*?)\n>{7}/.exec(m.result);
    expect(hunk?.slice(1).map((s) => s.trim())).toEqual(['"plan": "enterprise",', '"plan": "free",']);
    expect(find(parsePlain(takeSide(m.result, "ours")) as Registry, "acme").name).toBe("ACME Corporation");
  });

  it("a nested keyed array (domains by name) merges adds and changes inside one tenant", () => {
    const base = registry("acme");
    const ours = copy(base);
    find(ours, "acme").domains.push({ name: "shop.acme.test", tls: false });
    const theirs = copy(base);
    find(theirs, "acme").domains.push({ name: "api.acme.test", tls: true });
    find(theirs, "acme").domains[0].tls = false;
    const policy = JSON.stringify({ files: { "deploy/**/tenants.json": { keyedArrays: { "/tenants": "id", "/tenants/*/domains": "name" } } } });
    const m = mergeBranches(base, ours, theirs, { policy, file: "deploy/prod/tenants.json" });
    expect(m.status).toBe(0);
    // Theirs' new domain follows acme.example.org in theirs, so it goes right after it.
    expect(find(parsePlain(m.result) as Registry, "acme").domains).toEqual([
      { name: "acme.example.org", tls: false },
      { name: "api.acme.test", tls: true },
      { name: "shop.acme.test", tls: false },
    ]);
  });

  it("a duplicate tenant id on one side is a conflict with a warning, never merged silently", () => {
    const base = registry("acme", "globex");
    const ours = copy(base);
    find(ours, "globex").plan = "pro";
    const theirs = copy(base);
    theirs.tenants.push(tenant("acme", { plan: "copy" }));
    const m = mergeBranches(base, ours, theirs);
    expect(m.status).toBe(1);
    expect(m.stderr).toContain('statefile-merge: warning: /tenants: theirs has two elements with "id" "acme"');
    expect(parsePlain(takeSide(m.result, "theirs"))).toEqual(theirs);
    expect(parsePlain(takeSide(m.result, "ours"))).toEqual(ours);
  });

  it("a broken policy file sends the merge to git merge-file, naming the file and line", () => {
    const base = registry("acme");
    const ours = copy(base);
    ours.tenants.push(tenant("hooli"));
    const theirs = copy(base);
    theirs.tenants.push(tenant("initech"));
    const broken = '{\n  "files": {\n    "tenants.json": {\n      "keyedArrays": { "/tenants": "" }\n    }\n  }\n}\n';
    const m = mergeBranches(base, ours, theirs, { policy: broken });
    expect(m.stderr).toContain('.statefile-merge.json:4: files["tenants.json"].keyedArrays["/tenants"] is an empty identity field');
    expect(m.stderr).toContain("merging it line by line with git merge-file instead");
    expect(m.status).toBe(1);
  });
});
