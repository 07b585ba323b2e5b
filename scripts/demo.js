#!/usr/bin/env node
// The main job, shown on a throw-away repository: two people deploy the same NixOps network
// from two branches, and `git merge` runs our driver on the exported state.
//
//   1. Bob's real deploy (re-created app2, added app3, re-ordered every `keys` blob, new
//      configsPath everywhere) against Alice's deploy of a new deployment argument: clean,
//      where Git's own line merge reports conflicts.
//   2. Alice deploys app1 from her branch too: one true conflict, at app1's toplevel.
"use strict";

const { execFileSync, spawnSync } = require("node:child_process");
const { readFileSync, writeFileSync } = require("node:fs");
const { join, resolve } = require("node:path");
const { throwawayRepo, say } = require("./throwawayRepo");

const root = resolve(__dirname, "..");
const bin = join(root, "bin", "statefile-merge.js");
const fixtures = join(root, "fixtures", "nixops");
const before = readFileSync(join(fixtures, "ec2-prod-5machines.export.json"), "utf8");
const bobsDeploy = readFileSync(join(fixtures, "ec2-prod-after-teammate-deploy.export.json"), "utf8");

const { work, dir: repo, env, git, tryGit } = throwawayRepo("statefile-merge-demo-", "infra");
const STATE = "prod.nixops.json";

function commitState(text, message) {
  writeFileSync(join(repo, STATE), text);
  git("add", STATE);
  git("commit", "-q", "-m", message);
}
/** Alice's edit of one attribute line, the way her own deploy would rewrite it. */
function withAttribute(text, resource, attr, value) {
  const state = JSON.parse(text);
  const [uuid] = Object.keys(state);
  if (resource === null) state[uuid][attr] = value;
  else state[uuid].resources[resource][attr] = value;
  // NixOps' layout (sorted keys, indent 2); these values are plain ASCII, so JSON.stringify matches.
  const sortKeys = (v) => (v && typeof v === "object" ? Object.fromEntries(Object.keys(v).sort().map((k) => [k, sortKeys(v[k])])) : v);
  return JSON.stringify(sortKeys(state), null, 2) + "\n";
}
function lineMergeConflicts(ours, base, theirs) {
  const files = { ours, base, theirs };
  for (const [name, text] of Object.entries(files)) writeFileSync(join(work, name), text);
  const r = spawnSync("git", ["merge-file", "-p", join(work, "ours"), join(work, "base"), join(work, "theirs")], { encoding: "utf8" });
  return r.status;
}

git("init", "-q", "-b", "main");
say("A throw-away repository: " + repo);
execFileSync(process.execPath, [bin, "install", "--attributes"], { cwd: repo, env, stdio: "inherit" });
git("add", ".gitattributes");
git("commit", "-q", "-m", "Merge NixOps state with statefile-merge");
commitState(before, "Deploy prod: 5 machines");
process.stdout.write(git("config", "--get-regexp", "^merge\\.statefile"));
process.stdout.write(readFileSync(join(repo, ".gitattributes"), "utf8"));

// Scenario 1: a clean merge where Git's line merge reports conflicts.
git("checkout", "-q", "-b", "bob");
commitState(bobsDeploy, "Bob: deploy prod (re-creates app2, adds app3)");
git("checkout", "-q", "main");
const alice = withAttribute(withAttribute(before, null, "args", '{"replicas": "3"}'), null, "configsPath", "/nix/store/4lic3n8q6h2r8y3w0b7d9c1k5m2x0p8z-nixops-machines");
commitState(alice, "Alice: set-args replicas=3 and deploy");

say("Git's own line merge of these two deploys would report this many conflict hunks:");
process.stdout.write(String(lineMergeConflicts(alice, before, bobsDeploy)) + "\n");

say("git merge bob   (with the statefile driver)");
const clean = tryGit("merge", "--no-edit", "bob");
process.stdout.write(clean.stdout + clean.stderr);
process.stdout.write(`exit status ${clean.status}; unmerged paths: ${JSON.stringify(git("ls-files", "-u").trim())}\n`);
const merged = JSON.parse(readFileSync(join(repo, STATE), "utf8"));
const dep = Object.values(merged)[0];
process.stdout.write(`merged state: args ${dep.args}; resources ${Object.keys(dep.resources).join(", ")}\n`);
process.stdout.write(`app2 is Bob's re-created instance: ${dep.resources.app2.vmId}\n`);

// Scenario 2: both deploy app1 -> one true conflict.
git("checkout", "-q", "-b", "alice-app1", "HEAD~1");
commitState(withAttribute(alice, "app1", "toplevel", "/nix/store/9q4k0v2m8n7b6c5x4z3l2k1j0h9g8f7d-nixos-system-app1-23.05.5100.alice"), "Alice: deploy app1");
say("git merge bob   (Alice also deployed app1: a true conflict)");
const conflicted = tryGit("merge", "--no-edit", "bob");
process.stdout.write(conflicted.stdout + conflicted.stderr);
process.stdout.write(`exit status ${conflicted.status}; unmerged paths: ${git("diff", "--name-only", "--diff-filter=U").trim()}\n`);
say("The conflict in " + STATE + " (only this hunk; everything else merged):");
const lines = readFileSync(join(repo, STATE), "utf8").split("\n");
const start = lines.findIndex((l) => l.startsWith("<<<<<<<"));
const end = lines.findIndex((l) => l.startsWith(">>>>>>>"));
process.stdout.write(lines.slice(Math.max(0, start - 2), end + 2).join("\n") + "\n");
git("merge", "--abort");
say("Done. The repository stays at " + repo + " for a look around.");
