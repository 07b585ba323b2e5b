#!/usr/bin/env node
// statefile-merge beyond NixOps, shown on a throw-away repository: a tenant registry (the JSON
// a multi-tenant deployment reads with builtins.fromJSON) changed on two branches.
//
//   Alice (main): adds tenant hooli, moves acme to the enterprise plan, adds a domain to
//                 globex, and moves initech to the pro plan.
//   Bob (branch): adds tenant umbrella, renames acme, adds a domain to globex, and offboards
//                 initech (deletes it).
//
// The policy file says `/tenants` is keyed by `id` and `/tenants/*/domains` by `name`: every
// change merges except initech, deleted by one and changed by the other: one conflict.
"use strict";

const { execFileSync, spawnSync } = require("node:child_process");
const { readFileSync, writeFileSync, mkdirSync } = require("node:fs");
const { join, resolve } = require("node:path");
const { throwawayRepo, say } = require("./throwawayRepo");

const root = resolve(__dirname, "..");
const bin = join(root, "bin", "statefile-merge.js");
const { work, dir: repo, env, git } = throwawayRepo("statefile-merge-tenants-", "platform");
const FILE = "tenants.json";

function write(file, text) {
  writeFileSync(join(repo, file), text);
}
function commit(message, registry) {
  write(FILE, JSON.stringify(registry, null, 2) + "\n");
  git("add", FILE);
  git("commit", "-q", "-m", message);
}
const copy = (v) => JSON.parse(JSON.stringify(v));
const tenant = (id, name, plan, ...domains) => ({ id, name, plan, domains: domains.map((d) => ({ name: d, tls: true })) });
const find = (registry, id) => registry.tenants.find((t) => t.id === id);

const policy = {
  "//": "How statefile-merge merges JSON state in this repository (docs: statefile-merge README, Policy file)",
  files: {
    "tenants.json": { profile: "json", keyedArrays: { "/tenants": "id", "/tenants/*/domains": "name" } },
  },
};
const base = {
  source: "tenant-db export",
  tenants: [
    tenant("acme", "ACME Inc.", "pro", "acme.example.org"),
    tenant("globex", "Globex", "basic", "globex.example.org"),
    tenant("initech", "Initech", "basic", "initech.example.org"),
  ],
};

git("init", "-q", "-b", "main");
say("A throw-away repository: " + repo);
execFileSync(process.execPath, [bin, "install", "--attributes", "--pattern", FILE], { cwd: repo, env, stdio: "inherit" });
write(".statefile-merge.json", JSON.stringify(policy, null, 2) + "\n");
git("add", ".gitattributes", ".statefile-merge.json");
git("commit", "-q", "-m", "Merge the tenant registry with statefile-merge");
process.stdout.write(readFileSync(join(repo, ".gitattributes"), "utf8"));
process.stdout.write(readFileSync(join(repo, ".statefile-merge.json"), "utf8"));
commit("Export the tenant registry", base);

say("Bob (branch bob): adds umbrella, renames acme, adds www.globex.example.org, offboards initech");
git("checkout", "-q", "-b", "bob");
const bob = copy(base);
bob.tenants.push(tenant("umbrella", "Umbrella Corp", "basic", "umbrella.example.org"));
find(bob, "acme").name = "ACME Corporation";
find(bob, "globex").domains.push({ name: "www.globex.example.org", tls: true });
bob.tenants = bob.tenants.filter((t) => t.id !== "initech");
commit("Bob: umbrella, acme's new name, offboard initech", bob);

say("Alice (main): adds hooli, acme to enterprise, adds shop.globex.example.org, initech to pro");
git("checkout", "-q", "main");
const alice = copy(base);
alice.tenants.splice(1, 0, tenant("hooli", "Hooli", "pro", "hooli.example.org"));
find(alice, "acme").plan = "enterprise";
find(alice, "globex").domains.push({ name: "shop.globex.example.org", tls: false });
find(alice, "initech").plan = "pro";
commit("Alice: hooli, acme enterprise, initech pro", alice);

say("What Git's own line merge would do with these three files");
const dir = join(work, "line-merge");
mkdirSync(dir);
const show = (ref) => git("show", `${ref}:${FILE}`);
writeFileSync(join(dir, "ours"), show("main"));
writeFileSync(join(dir, "base"), show("main~1"));
writeFileSync(join(dir, "theirs"), show("bob"));
const line = spawnSync("git", ["merge-file", "-p", join(dir, "ours"), join(dir, "base"), join(dir, "theirs")], { encoding: "utf8" });
let lineParses = true;
try {
  JSON.parse(line.stdout.replace(/^(<{7}|={7}|>{7}).*\n/gm, ""));
} catch {
  lineParses = false;
}
process.stdout.write(`git merge-file: ${line.status} conflict(s)${lineParses ? "" : ", and taking both sides is not even valid JSON"}\n`);

say("git merge bob (statefile-merge runs as the merge driver)");
const merge = spawnSync("git", ["merge", "bob"], { cwd: repo, env, encoding: "utf8" });
process.stdout.write(merge.stdout + merge.stderr);
process.stdout.write(`exit status ${merge.status}; unmerged paths: ${git("ls-files", "-u").split("\n").filter(Boolean).length / 3}\n`);

say(`${FILE} after the merge: every tenant and field merged, one conflict at initech`);
const merged = readFileSync(join(repo, FILE), "utf8");
process.stdout.write(merged);

say("Either side of the conflict is valid JSON: Bob's side keeps the offboarding and everything else");
const bobsSide = merged.replace(/^<{7}[^\n]*\n[\s\S]*?^={7}\n([\s\S]*?)^>{7}[^\n]*\n/gm, "$1");
write(FILE, bobsSide);
const final = JSON.parse(bobsSide);
process.stdout.write(`tenants: ${final.tenants.map((t) => `${t.id} (${t.name}, ${t.plan}: ${t.domains.map((d) => d.name).join(" ")})`).join("; ")}\n`);
git("add", FILE);
git("commit", "-q", "--no-edit");
process.stdout.write(git("log", "--oneline", "--graph", "-5"));
process.stdout.write(`\nThe repository stays at ${repo} for a look around.\n`);
