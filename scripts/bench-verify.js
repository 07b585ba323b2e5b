#!/usr/bin/env node
"use strict";
// `statefile-merge verify` on a long history (issue 16's speed target): 1,000 commits with 100
// merges of a 1 MB NixOps export, built with `git fast-import`. Each of the 100 cycles is a
// deploy on a branch, a deploy on main, seven commits that touch only other files, and the
// merge. Nine merges in ten hold the driver's result (what `git merge` with the driver
// writes); every tenth holds Git's line merge of the same deploys (what a forge's button
// writes: right here, but not byte-equal, so verify compares it as state, the slow path).
// Then it times `statefile-merge verify` over the whole history, as a CI job runs it.
//
//   node scripts/bench-verify.js [--json] [--merges 100] [--resources 390] [--repeats 3] [--keep]
//   npm run bench -- --verify      (the same, as a section after the merge benchmark)

const { spawnSync } = require("node:child_process");
const { existsSync, mkdtempSync, rmSync, writeFileSync } = require("node:fs");
const os = require("node:os");
const { join, resolve } = require("node:path");
const { generateScenario, exportText } = require("./bench-generate.js");

const ROOT = resolve(__dirname, "..");
const BIN = join(ROOT, "bin", "statefile-merge.js");
const STATE = "prod.nixops.json";
const TARGET_MS = 60_000; // "well under a minute"

function parseArgs(argv) {
  const o = { json: false, merges: 100, resources: 390, repeats: 3, keep: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === "--json") o.json = true;
    else if (a === "--keep") o.keep = true;
    else if (a === "--merges") o.merges = Number(argv[++i]);
    else if (a === "--resources") o.resources = Number(argv[++i]);
    else if (a === "--repeats") o.repeats = Number(argv[++i]);
    else throw new Error(`unknown argument ${a}; use --json, --merges N, --resources N, --repeats N, --keep`);
  }
  return o;
}

const ENV = { ...process.env, GIT_CONFIG_NOSYSTEM: "1", GIT_CONFIG_GLOBAL: "/dev/null", GIT_AUTHOR_NAME: "Bench", GIT_AUTHOR_EMAIL: "bench@example.org", GIT_COMMITTER_NAME: "Bench", GIT_COMMITTER_EMAIL: "bench@example.org" };

function git(cwd, args, input) {
  const r = spawnSync("git", args, { cwd, env: ENV, input, maxBuffer: 1 << 30 });
  if (r.status !== 0) throw new Error(`git ${args[0]} failed: ${r.stderr}`);
  return r.stdout;
}

/** A small deterministic generator (the history must be the same on every run). */
function rng(seed) {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

/** A deploy: new toplevel and state on a few machines of one deployment (each side its own). */
function deploy(state, random, tag, side) {
  const next = structuredClone(state);
  const uuid = Object.keys(next)[side];
  const names = Object.keys(next[uuid].resources);
  for (let k = 0; k < 3; k++) {
    const name = names[Math.floor(random() * names.length)];
    const r = next[uuid].resources[name];
    r.toplevel = `/nix/store/${tag.padEnd(32, "0").slice(0, 32)}-nixos-system-${name}`;
    r.state = String(Math.floor(random() * 8));
  }
  return next;
}

/** The driver's merge of three texts, as the driver writes it (dist/ is the built driver). */
function driverMerge(mergeTexts, base, ours, theirs) {
  const r = mergeTexts({ base, ours, theirs }, { markers: { size: 7, ours: "ours", base: "base", theirs: "theirs", style: "merge" } });
  if (r.kind !== "merged") throw new Error(`the driver fell back: ${r.reason}`);
  return r.text;
}

function lineMerge(dir, base, ours, theirs) {
  for (const [name, text] of Object.entries({ base, ours, theirs })) writeFileSync(join(dir, name), text);
  const r = spawnSync("git", ["merge-file", "-p", join(dir, "ours"), join(dir, "base"), join(dir, "theirs")], { maxBuffer: 1 << 30 });
  return r.status === 0 ? r.stdout.toString("utf8") : null;
}

/** Builds the history in `repo` with one `git fast-import`; returns what it holds. */
function buildHistory(repo, work, o) {
  const { mergeTexts } = require(join(ROOT, "dist", "pipeline", "mergeTexts.js"));
  const random = rng(16);
  const chunks = [];
  let mark = 0;
  let time = 1_700_000_000;
  const blob = (text) => {
    const data = Buffer.from(text);
    chunks.push(Buffer.from(`blob\nmark :${++mark}\ndata ${data.length}\n`), data, Buffer.from("\n"));
    return mark;
  };
  const commit = (branch, message, files, from, merge) => {
    const lines = [`commit refs/heads/${branch}`, `mark :${++mark}`, `committer Bench <bench@example.org> ${time++} +0000`, `data ${Buffer.byteLength(message)}`, message];
    if (from) lines.push(`from :${from}`);
    if (merge) lines.push(`merge :${merge}`);
    for (const [path, blobMark] of files) lines.push(`M 100644 :${blobMark} ${path}`);
    chunks.push(Buffer.from(lines.join("\n") + "\n\n"));
    return mark;
  };
  let text = generateScenario(o.resources, 16).base;
  let state = JSON.parse(text);
  const stateBytes = Buffer.byteLength(text);
  let main = commit("main", "Deploy prod", [[".gitattributes", blob(`*.nixops.json merge=statefile\n`)], [STATE, blob(text)]], null, null);
  let commits = 1;
  let lineMerges = 0;
  for (let i = 0; i < o.merges; i++) {
    const branchState = deploy(state, random, `b${i}`, 1);
    const branchText = exportText(branchState);
    const branch = commit(`deploy-${i}`, `Bob deploys (${i})`, [[STATE, blob(branchText)]], main, null);
    const mainText = exportText(deploy(state, random, `m${i}`, 0));
    main = commit("main", `Alice deploys (${i})`, [[STATE, blob(mainText)]], main, null);
    commits += 2;
    // 7 other commits per cycle (6 in the first, for the initial commit): 10 commits per merge in all.
    for (let k = 0; k < (i === 0 ? 6 : 7); k++, commits++) {
      main = commit("main", `Notes ${i}.${k}`, [[`notes/${i}.txt`, blob(`cycle ${i}, note ${k}\n`)]], main, null);
    }
    let merged = driverMerge(mergeTexts, text, mainText, branchText);
    if (i % 10 === 9) {
      const byLines = lineMerge(work, text, mainText, branchText);
      if (byLines !== null) {
        merged = byLines;
        lineMerges++;
      }
    }
    main = commit("main", `Merge deploy-${i}`, [[STATE, blob(merged)]], main, branch);
    commits++;
    text = merged;
    state = JSON.parse(merged);
  }
  git(repo, ["fast-import", "--quiet"], Buffer.concat(chunks));
  git(repo, ["checkout", "-q", "main"]);
  return { commits: Number(git(repo, ["rev-list", "--count", "HEAD"]).toString().trim()), merges: o.merges, lineMerges, stateBytes };
}

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[s.length >> 1] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

/** Builds the history and times `statefile-merge verify` on it; the result for printing. */
function runVerifyBench(options = {}) {
  const o = { ...parseArgs([]), ...options };
  const dir = mkdtempSync(join(os.tmpdir(), "statefile-merge-bench-verify-"));
  const repo = join(dir, "repo");
  try {
    git(dir, ["init", "-q", "-b", "main", repo]);
    const built = buildHistory(repo, dir, o);
    const times = [];
    let last = null;
    for (let i = 0; i < o.repeats; i++) {
      const start = process.hrtime.bigint();
      last = spawnSync(process.execPath, [BIN, "verify", "--json"], { cwd: repo, env: ENV, maxBuffer: 1 << 30 });
      times.push(Number(process.hrtime.bigint() - start) / 1e6);
    }
    const report = JSON.parse(last.stdout.toString("utf8"));
    const passed = report.merges.filter((m) => m.status === "pass").length;
    const result = {
      history: built,
      verifyExit: last.status,
      mergesPassed: passed,
      medianMs: median(times),
      minMs: Math.min(...times),
      maxMs: Math.max(...times),
      runs: times.length,
      loadAverage: os.loadavg(),
      target: { text: `1,000 commits, 100 merges of a 1 MB state file, well under ${TARGET_MS / 1000} s`, met: median(times) < TARGET_MS / 2 },
    };
    if (o.keep) process.stderr.write(`bench-verify: repository kept in ${repo}\n`);
    return result;
  } finally {
    if (!o.keep) rmSync(dir, { recursive: true, force: true });
  }
}

function verifyTable(r) {
  return [
    `verify: ${r.history.commits} commits, ${r.history.merges} merges (${r.history.lineMerges} of them line merges) of a ${(r.history.stateBytes / 1e6).toFixed(2)} MB state file`,
    `verify: median ${(r.medianMs / 1000).toFixed(2)} s (min ${(r.minMs / 1000).toFixed(2)}, max ${(r.maxMs / 1000).toFixed(2)}, ${r.runs} runs); exit ${r.verifyExit}, ${r.mergesPassed} of ${r.history.merges} merges pass; load ${r.loadAverage.map((x) => x.toFixed(2)).join(" ")}`,
    `verify: target ${r.target.text}: ${r.target.met ? "met" : "NOT met"} (counted as met under half a minute)`,
  ].join("\n");
}

module.exports = { runVerifyBench, verifyTable };

if (require.main === module) {
  const o = parseArgs(process.argv.slice(2));
  if (!existsSync(join(ROOT, "dist", "cli.js"))) throw new Error("build first: npm run build");
  const r = runVerifyBench(o);
  process.stdout.write(o.json ? JSON.stringify(r, null, 2) + "\n" : verifyTable(r) + "\n");
}
