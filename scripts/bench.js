#!/usr/bin/env node
"use strict";
// `npm run bench`: statefile-merge against `git merge-file` and a bare Node start, on NixOps
// exports of 100, 2,000 and 20,000 resources (about 0.3, 5 and 50 MB) with a realistic pair of
// concurrent deploys (scripts/bench-generate.js). In one run, alternating the commands round by
// round, it reports the median, min and max wall time, the ratios, peak resident memory, and
// how many conflict hunks each tool wrote against the conflicts truly planted. A fourth command,
// the floor (scripts/bench-floor.js), does only what any Node driver must: start, read the three
// inputs, replace %A; its ratios show how much of each target is left for merging at all.
//
//   node scripts/bench.js [--json] [--sizes 100,2000,20000] [--repeats N] [--keep] [--verify]
//
// --verify adds the `statefile-merge verify` section (scripts/bench-verify.js: 1,000 commits,
// 100 merges of a 1 MB state file); it takes a minute or two, so it is not run by default.
//
// The driver gets its labels as Git >= 2.44 passes them, and Git config is isolated (no
// user or system file), so neither tool looks anything up beyond its three files.

const { spawnSync } = require("node:child_process");
const { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } = require("node:fs");
const os = require("node:os");
const { join, resolve } = require("node:path");
const { generateScenario } = require("./bench-generate.js");

const ROOT = resolve(__dirname, "..");
const BIN = join(ROOT, "bin", "statefile-merge.js");
const FLOOR = join(ROOT, "scripts", "bench-floor.js");
const DEFAULT_REPEATS = { 100: 21, 2000: 11, 20000: 5 };

/** The targets of issue 6, as checks on one size's results. */
const TARGETS = {
  100: { text: "<= 1.25x bare node", check: (r) => r.ratioToNode <= 1.25 },
  2000: { text: "<= 1.5x git merge-file", check: (r) => r.ratioToGit <= 1.5 },
  20000: {
    text: "<= 0.5x git merge-file, no false conflicts, peak memory <= 5x inputs",
    check: (r) => r.ratioToGit <= 0.5 && r.tools.statefileMerge.hunks === r.trueConflicts && r.tools.statefileMerge.peakRssBytes <= 5 * r.inputBytes,
  },
};

function parseArgs(argv) {
  const o = { json: false, sizes: [100, 2000, 20000], repeats: null, keep: false, verify: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === "--json") o.json = true;
    else if (a === "--keep") o.keep = true;
    else if (a === "--verify") o.verify = true;
    else if (a === "--sizes") o.sizes = argv[++i].split(",").map(Number);
    else if (a === "--repeats") o.repeats = Number(argv[++i]);
    else throw new Error(`unknown argument ${a}; use --json, --sizes 100,2000,20000, --repeats N, --keep, --verify`);
  }
  return o;
}

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[s.length >> 1] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

/** Lines that open a conflict hunk (7 "<" then a space or the end of the line). */
function hunks(text) {
  return (text.match(/^<{7}(?: |$)/gm) ?? []).length;
}

/** How peak memory is measured here: GNU time if it works, else nothing for git. */
function rssMethod() {
  const r = spawnSync("/usr/bin/time", ["-f", "%M", "true"], { encoding: "utf8" });
  return r.status === 0 && /^\d+\s*$/.test(r.stderr.trim().split("\n").pop()) ? "gnu-time" : "node-resource-usage";
}

function machine() {
  const git = spawnSync("git", ["--version"], { encoding: "utf8" }).stdout.trim();
  const cpus = os.cpus();
  return {
    cpu: `${cpus[0]?.model ?? "unknown"} (${cpus.length} logical CPUs)`,
    memory: `${Math.round(os.totalmem() / 2 ** 30)} GiB`,
    os: `${os.type()} ${os.release()} ${os.arch()}`,
    node: process.version,
    git,
  };
}

class Bench {
  constructor(dir, size, rss) {
    this.dir = dir;
    this.size = size;
    this.rss = rss;
    const s = generateScenario(size, 1);
    this.trueConflicts = s.trueConflicts;
    this.files = {};
    for (const k of ["base", "ours", "theirs"]) {
      this.files[k] = join(dir, `${size}.${k}.json`);
      writeFileSync(this.files[k], s[k]);
    }
    this.inputBytes = Buffer.byteLength(s.base) + Buffer.byteLength(s.ours) + Buffer.byteLength(s.theirs);
    this.work = join(dir, `${size}.work.json`);
    this.env = { ...process.env, HOME: dir, XDG_CONFIG_HOME: dir, GIT_CONFIG_NOSYSTEM: "1", GIT_CONFIG_GLOBAL: join(dir, "gitconfig") };
    writeFileSync(this.env.GIT_CONFIG_GLOBAL, "");
  }

  commands() {
    const { base, theirs } = this.files;
    return {
      statefileMerge: [process.execPath, BIN, "merge", base, this.work, theirs, "-p", "state.json", "-l", "7", "-s", "base", "-x", "ours", "-y", "theirs"],
      gitMergeFile: ["git", "merge-file", "-L", "ours", "-L", "base", "-L", "theirs", this.work, base, theirs],
      bareNode: [process.execPath, "-e", "0"],
      // What no Node driver can avoid: start, read the three files, replace %A (no merge).
      nodeFloor: [process.execPath, FLOOR, base, this.work, theirs],
    };
  }

  /** One timed run; the work file is a fresh copy of ours (not timed). */
  run(tool, argv) {
    if (tool !== "bareNode") copyFileSync(this.files.ours, this.work);
    const start = process.hrtime.bigint();
    const r = spawnSync(argv[0], argv.slice(1), { cwd: this.dir, env: this.env, stdio: ["ignore", "ignore", "pipe"], maxBuffer: 2 ** 30 });
    const ms = Number(process.hrtime.bigint() - start) / 1e6;
    if (r.error) throw r.error;
    return { ms, status: r.status, stderr: r.stderr.toString() };
  }

  /** Peak resident memory of one more run, in bytes (null where it cannot be measured). */
  peakRss(tool, argv) {
    if (tool !== "bareNode") copyFileSync(this.files.ours, this.work);
    if (this.rss === "gnu-time") {
      const report = join(this.dir, "rss.txt");
      spawnSync("/usr/bin/time", ["-f", "%M", "-o", report, ...argv], { cwd: this.dir, env: this.env, stdio: "ignore" });
      return Number(readFileSync(report, "utf8").trim().split("\n").pop()) * 1024;
    }
    if (argv[0] !== process.execPath) return null;
    // No GNU time: Node reports its own peak (getrusage maxrss) at exit.
    const report = join(this.dir, "rss.txt");
    const hook = `process.on("exit",()=>require("fs").writeFileSync(${JSON.stringify(report)},String(process.resourceUsage().maxRSS)))`;
    spawnSync(argv[0], ["--require", writeHook(this.dir, hook), ...argv.slice(1)], { cwd: this.dir, env: this.env, stdio: "ignore" });
    return Number(readFileSync(report, "utf8")) * 1024;
  }

  measure(repeats) {
    const commands = this.commands();
    const tools = Object.keys(commands);
    const times = Object.fromEntries(tools.map((t) => [t, []]));
    const result = {};
    // A first, untimed round: the page cache holds the inputs, and each tool's output is checked.
    for (const tool of tools) {
      const r = this.run(tool, commands[tool]);
      const merges = tool === "statefileMerge" || tool === "gitMergeFile";
      result[tool] = { exitCode: r.status, hunks: merges ? hunks(readFileSync(this.work, "utf8")) : null };
      if (tool === "statefileMerge") result[tool].stderrConflictLines = (r.stderr.match(/^statefile-merge: CONFLICT/gm) ?? []).length;
    }
    for (let round = 0; round < repeats; round++) {
      // Alternate: each round starts with the next tool, so no tool always runs first.
      for (let k = 0; k < tools.length; k++) {
        const tool = tools[(round + k) % tools.length];
        times[tool].push(this.run(tool, commands[tool]).ms);
      }
    }
    for (const tool of tools) {
      Object.assign(result[tool], {
        medianMs: median(times[tool]),
        minMs: Math.min(...times[tool]),
        maxMs: Math.max(...times[tool]),
        runs: times[tool].length,
        peakRssBytes: this.peakRss(tool, commands[tool]),
      });
    }
    const sfm = result.statefileMerge;
    const out = {
      resources: this.size,
      inputBytes: this.inputBytes,
      trueConflicts: this.trueConflicts,
      tools: result,
      ratioToGit: sfm.medianMs / result.gitMergeFile.medianMs,
      ratioToNode: sfm.medianMs / result.bareNode.medianMs,
      // The target's reach: the floor's own ratios leave this much room for the merge itself.
      floorToGit: result.nodeFloor.medianMs / result.gitMergeFile.medianMs,
      floorToNode: result.nodeFloor.medianMs / result.bareNode.medianMs,
      peakRssToInputs: sfm.peakRssBytes === null ? null : sfm.peakRssBytes / this.inputBytes,
    };
    const target = TARGETS[this.size];
    if (target) out.target = { text: target.text, met: target.check(out) };
    return out;
  }
}

function writeHook(dir, code) {
  const file = join(dir, "rss-hook.js");
  writeFileSync(file, code);
  return file;
}

const mb = (bytes) => (bytes === null ? "n/a" : (bytes / 1e6).toFixed(1));
const ms = (x) => x.toFixed(x < 100 ? 1 : 0);

function table(report) {
  const lines = [];
  lines.push(`machine: ${report.machine.cpu}, ${report.machine.memory}, ${report.machine.os}; ${report.machine.node}; ${report.machine.git}`);
  lines.push(`load average: ${report.loadAverage.start.map((x) => x.toFixed(2)).join(" ")} at start, ${report.loadAverage.end.map((x) => x.toFixed(2)).join(" ")} at end; peak memory by ${report.rssMethod}`);
  lines.push("");
  lines.push("| resources | MB per file (3 files) | tool | median ms | min-max ms | vs git merge-file | vs bare node | peak RSS MB | hunks / true conflicts |");
  lines.push("|---:|---:|---|---:|---:|---:|---:|---:|---:|");
  const names = { statefileMerge: "statefile-merge merge", gitMergeFile: "git merge-file", bareNode: "node -e 0", nodeFloor: "floor: node reads 3, writes 1" };
  for (const r of report.results) {
    for (const [tool, t] of Object.entries(r.tools)) {
      const vsGit = tool === "bareNode" ? "" : (t.medianMs / r.tools.gitMergeFile.medianMs).toFixed(2) + "x";
      const vsNode = (t.medianMs / r.tools.bareNode.medianMs).toFixed(2) + "x";
      const h = t.hunks === null ? "" : `${t.hunks} / ${r.trueConflicts}`;
      lines.push(`| ${r.resources} | ${mb(r.inputBytes / 3)} | ${names[tool]} | ${ms(t.medianMs)} | ${ms(t.minMs)}-${ms(t.maxMs)} | ${vsGit} | ${vsNode} | ${mb(t.peakRssBytes)} | ${h} |`);
    }
  }
  lines.push("");
  for (const r of report.results) {
    if (r.target) lines.push(`${r.resources} resources: target ${r.target.text}: ${r.target.met ? "met" : "NOT met"} (${r.ratioToGit.toFixed(2)}x git merge-file, ${r.ratioToNode.toFixed(2)}x bare node, peak RSS ${r.peakRssToInputs === null ? "n/a" : r.peakRssToInputs.toFixed(2) + "x inputs"}; the floor alone: ${r.floorToGit.toFixed(2)}x git merge-file, ${r.floorToNode.toFixed(2)}x bare node)`);
  }
  return lines.join("\n");
}

function main() {
  const options = parseArgs(process.argv.slice(2));
  const dir = mkdtempSync(join(os.tmpdir(), "statefile-merge-bench-"));
  try {
    const rss = rssMethod();
    const report = { machine: machine(), rssMethod: rss, loadAverage: { start: os.loadavg(), end: null }, results: [] };
    for (const size of options.sizes) {
      if (!options.json) process.stderr.write(`bench: ${size} resources...\n`);
      const bench = new Bench(dir, size, rss);
      report.results.push(bench.measure(options.repeats ?? DEFAULT_REPEATS[size] ?? 5));
    }
    report.loadAverage.end = os.loadavg();
    if (options.verify) {
      if (!options.json) process.stderr.write("bench: verify on a history of 1,000 commits...\n");
      report.verify = require("./bench-verify.js").runVerifyBench({ keep: options.keep });
    }
    process.stdout.write(options.json ? JSON.stringify(report, null, 2) + "\n" : table(report) + "\n");
    if (options.verify && !options.json) process.stdout.write("\n" + require("./bench-verify.js").verifyTable(report.verify) + "\n");
  } finally {
    if (options.keep) process.stderr.write(`bench: files kept in ${dir}\n`);
    else rmSync(dir, { recursive: true, force: true });
  }
}

main();
