#!/usr/bin/env node
// statefile-merge on a Terraform state kept in Git, shown on a throw-away repository. The
// base is a real terraform.tfstate (fixtures/tfstate, written by Terraform 1.4.6: a VPC module
// with count instances and one EC2 instance). Two people apply from two branches:
//
//   Alice (main): retags the EC2 instance, and replaces NAT address module.vpc.aws_eip.nat[1]
//                 (a new allocation: a new id).                                   serial +1
//   Bob (branch): adds an S3 bucket, destroys module.vpc.aws_eip.nat[2], and a refresh
//                 changes the tags of module.vpc.aws_eip.nat[1].                  serial +2
//
// Everything merges except nat[1], replaced on one side and refreshed on the other: one
// conflict, around that instance only. The merged serial is one more than both sides'.
"use strict";

const { execFileSync, spawnSync } = require("node:child_process");
const { readFileSync, writeFileSync, mkdtempSync } = require("node:fs");
const { tmpdir } = require("node:os");
const { join, resolve } = require("node:path");
const { throwawayRepo, say } = require("./throwawayRepo");

const root = resolve(__dirname, "..");
const bin = join(root, "bin", "statefile-merge.js");
const { parseJson } = require(join(root, "dist", "formats", "parseJson.js"));
const { JsonNumber } = require(join(root, "dist", "core", "values.js"));
const { writeTfstate, tfstateStyle } = require(join(root, "dist", "formats", "tfstate", "tfstateCodec.js"));

const { dir: repo, env, git, tryGit } = throwawayRepo("statefile-merge-terraform-", "infra");
const FILE = "terraform.tfstate";
const baseText = readFileSync(join(root, "fixtures", "tfstate", "aws-modules-count-tf1.4.6.tfstate"), "utf8");

// A state is edited as Terraform would change it, and written as Terraform writes it.
const load = () => parseJson(baseText).value;
const write = (state) => writeTfstate(state, tfstateStyle([baseText], [state], "1.4.6"));
const resource = (state, module, type, name) =>
  state.get("resources").find((r) => r.get("module") === module && r.get("type") === type && r.get("name") === name);
const instance = (r, key) => r.get("instances").find((i) => (key === null ? !i.has("index_key") : i.get("index_key")?.text === String(key)));
const attributes = (i) => i.get("attributes");
const applied = (state, n) => state.set("serial", new JsonNumber(String(Number(state.get("serial").text) + n)));
const tags = (entries) => new Map(Object.entries(entries));
const serialOf = (text) => /"serial": (\d+)/.exec(text)[1];

function commit(message, text) {
  writeFileSync(join(repo, FILE), text);
  git("add", FILE);
  git("commit", "-q", "-m", message);
}
function cli(...args) {
  const r = spawnSync(process.execPath, [bin, ...args], { cwd: repo, env, encoding: "utf8" });
  process.stdout.write(r.stdout + r.stderr);
  return r;
}

git("init", "-q", "-b", "main");
say("A throw-away repository: " + repo);
execFileSync(process.execPath, [bin, "install", "--attributes", "--pattern", "*.tfstate", "--pattern", "*.tfstate.backup"], { cwd: repo, env, stdio: "inherit" });
git("add", ".gitattributes");
git("commit", "-q", "-m", "Merge Terraform state with statefile-merge");
commit("terraform apply (serial " + serialOf(baseText) + ")", baseText);

say("Bob (branch bob): adds aws_s3_bucket.logs, destroys nat[2]; a refresh retags nat[1]");
git("checkout", "-q", "-b", "bob");
const bob = applied(load(), 2);
const nat = (state) => resource(state, "module.vpc", "aws_eip", "nat");
attributes(instance(nat(bob), 1)).set("tags", tags({ Environment: "dev", Name: "my-vpc-ap-northeast-3b", Owner: "bob" }));
nat(bob).set("instances", nat(bob).get("instances").filter((i) => i.get("index_key").text !== "2"));
bob.get("resources").push(
  new Map([
    ["mode", "managed"],
    ["type", "aws_s3_bucket"],
    ["name", "logs"],
    ["provider", 'provider["registry.terraform.io/hashicorp/aws"]'],
    ["instances", [new Map([["schema_version", new JsonNumber("0")], ["attributes", new Map([["bucket", "wakudoki-logs"], ["id", "wakudoki-logs"], ["tags", tags({ Env: "dev" })]])], ["sensitive_attributes", []]])]],
  ]),
);
commit("Bob: terraform apply (logs bucket, one NAT address fewer)", write(bob));
process.stdout.write(spawnSync(process.execPath, [bin, "diff", "-", FILE], { cwd: repo, env, input: baseText, encoding: "utf8" }).stdout);

say("Alice (main): retags the EC2 instance, replaces nat[1] (a new allocation)");
git("checkout", "-q", "main");
const alice = applied(load(), 1);
attributes(instance(resource(alice, undefined, "aws_instance", "created_by_terraform"), null)).set("tags", tags({ Name: "web", Team: "platform" }));
const replaced = attributes(instance(nat(alice), 1));
replaced.set("id", "eipalloc-0a11ce0000000001").set("allocation_id", "eipalloc-0a11ce0000000001").set("public_ip", "15.152.10.20");
commit("Alice: terraform apply (retag web, replace nat[1])", write(alice));
process.stdout.write(spawnSync(process.execPath, [bin, "diff", "-", FILE], { cwd: repo, env, input: baseText, encoding: "utf8" }).stdout);

say("What Git's own line merge would do: every apply changes the serial line, so it always conflicts");
const scratch = mkdtempSync(join(tmpdir(), "statefile-merge-line-"));
writeFileSync(join(scratch, "ours"), write(alice));
writeFileSync(join(scratch, "base"), baseText);
writeFileSync(join(scratch, "theirs"), write(bob));
const lineMerge = spawnSync("git", ["merge-file", "-p", join(scratch, "ours"), join(scratch, "base"), join(scratch, "theirs")], { encoding: "utf8" });
const firstHunk = /^<{7}.*\n([\s\S]*?)^={7}\n([\s\S]*?)^>{7}.*$/m.exec(lineMerge.stdout);
process.stdout.write(`git merge-file: ${lineMerge.status} conflict(s); the first one:\n${firstHunk ? firstHunk[0] : "(none)"}\n`);

say("git merge bob (statefile-merge runs as the merge driver)");
const merge = tryGit("merge", "bob");
process.stdout.write(merge.stdout + merge.stderr);
const mergedText = readFileSync(join(repo, FILE), "utf8");
process.stdout.write(`exit status ${merge.status}; serial: Alice ${serialOf(write(alice))}, Bob ${serialOf(write(bob))}, merged ${serialOf(mergedText)}\n`);

say("The one conflict, around the replaced instance only");
const start = mergedText.indexOf("<<<<<<<");
const end = mergedText.indexOf(">>>>>>>", start);
const block = mergedText.slice(start, mergedText.indexOf("\n", end) + 1).split("\n");
process.stdout.write([...block.slice(0, 8), "  ...", ...block.slice(-4)].join("\n"));
cli("conflicts");

say("Alice's replacement is what exists now: keep it (statefile-merge resolve, by plan address)");
cli("resolve", FILE, "module.vpc.aws_eip.nat[1]", "--ours", "--add");
git("commit", "-q", "--no-edit");
process.stdout.write(git("log", "--oneline", "--graph", "-4"));

say("The merge as a plan, against each parent (git diff runs statefile-merge's diff driver)");
process.stdout.write(git("diff", "HEAD~1", "HEAD"));
process.stdout.write(git("diff", "HEAD^2", "HEAD"));

say("The result is byte for byte what Terraform writes (statefile-merge check)");
cli("check", FILE);
process.stdout.write(`check: ${spawnSync(process.execPath, [bin, "check", FILE], { cwd: repo, env }).status === 0 ? "no problem" : "problems"}\n`);

if (spawnSync("terraform", ["version"], { encoding: "utf8" }).status === 0) {
  say("terraform state push accepts the merged state over both sides' states");
  for (const [who, text] of [["Alice", write(alice)], ["Bob", write(bob)]]) {
    const dir = mkdtempSync(join(tmpdir(), "statefile-merge-push-"));
    const tfEnv = { ...process.env, CHECKPOINT_DISABLE: "1", TF_CLI_CONFIG_FILE: "/dev/null" };
    writeFileSync(join(dir, "side.tfstate"), text);
    writeFileSync(join(dir, "merged.tfstate"), readFileSync(join(repo, FILE)));
    spawnSync("terraform", ["state", "push", "side.tfstate"], { cwd: dir, env: tfEnv });
    const r = spawnSync("terraform", ["state", "push", "-no-color", "merged.tfstate"], { cwd: dir, env: tfEnv, encoding: "utf8" });
    process.stdout.write(`over ${who}'s state: ${r.status === 0 ? "accepted" : "refused: " + r.stderr.trim()}\n`);
  }
}

process.stdout.write(`\nA merged state is a record of what exists; run terraform plan before the next apply.\nThe repository stays at ${repo} for a look around.\n`);
