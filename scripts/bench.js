#!/usr/bin/env node
"use strict";
// `npm run bench`: statefile-merge against `git merge-file` and a bare Node start, on NixOps
// exports of 180, 1,750 and 19,000 resources (about 0.46, 4.5 and 48 MB per file) with a
// realistic pair of concurrent deploys (each side deploys a tenth of the machines), and once
// more at 19,000 resources where each side deploys only 10 machines, in 190 deployments and in
// one (scripts/bench-generate.js).
// In one run, alternating the commands round by round, it reports the median, min and max wall
// time, the ratios, peak resident memory, how many conflict hunks each tool wrote against the
// conflicts truly planted, and what the merge costs beyond the floor per changed record and per
// MB. The floor (scripts/bench-floor.js) does only what any Node driver must: start, read the
// three inputs, replace %A; its ratios show how much of each target is left for merging at all.
//
//   node scripts/bench.js [--json] [--only small,medium,large,deploy10,deploy10-one] [--repeats N] [--keep] [--verify]
//
// --verify adds the `statefile-merge verify` section (scripts/bench-verify.js: 1,000 commits,
// 100 merges of a 1 MB state file); it takes a minute or two, so it is not run by default.
//
// The driver gets its labels as Git >= 2.44 passes them and the conflict style as `install`
// writes it on the driver line, and Git config is isolated (no user or system file), so
// neither tool looks anything up beyond its three files. Every tool runs with
// NODE_EXTRA_CA_CERTS empty, as install's driver line starts the driver: set, it makes every
// Node start load those certificates (a bare start took 59-85 ms with them, 22-30 without,
// here), and a bare Node start that paid it while the driver did not would flatter the
// ratios. The report says what it costs here.

const { spawnSync } = require("node:child_process");
const { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } = require("node:fs");
const os = require("node:os");
const { join, resolve } = require("node:path");
const { generateScenario } = require("./bench-generate.js");

const ROOT = resolve(__dirname, "..");
const BIN = join(ROOT, "bin", "statefile-merge.js");
const FLOOR = join(ROOT, "scripts", "bench-floor.js");
/** The scenarios, and the targets of issue 18 as checks on one scenario's results. */
const SCENARIOS = [
  { name: "small", resources: 180, repeats: 21, target: { text: "<= 1.25x bare node", check: (r) => r.ratioToNode <= 1.25 } },
  { name: "medium", resources: 1750, repeats: 11, target: { text: "<= 2.0x bare node", check: (r) => r.ratioToNode <= 2.0 } },
  {
    name: "large",
    resources: 19000,
    repeats: 5,
    target: {
      text: "<= 1.0x git merge-file, no false conflicts, peak memory <= 3x inputs",
      check: (r) => r.ratioToGit <= 1.0 && r.tools.statefileMerge.hunks === r.trueConflicts && r.tools.statefileMerge.peakRssBytes <= 3 * r.inputBytes,
    },
  },
  {
    name: "deploy10",
    resources: 19000,
    deployed: 10,
    repeats: 5,
    target: { text: "<= 1.3x the floor", check: (r) => r.tools.statefileMerge.medianMs <= 1.3 * r.tools.nodeFloor.medianMs },
  },
  // The same day in a state that is one deployment of 19,000 resources: the work must follow
  // what changed inside a deployment too, not only which deployments changed.
  {
    name: "deploy10-one",
    resources: 19000,
    deployed: 10,
    deployments: 1,
    repeats: 5,
    target: { text: "<= 1.3x the floor", check: (r) => r.tools.statefileMerge.medianMs <= 1.3 * r.tools.nodeFloor.medianMs },
  },
];

function parseArgs(argv) {
  const o = { json: false, only: SCENARIOS.map((s) => s.name), repeats: null, keep: false, verify: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === "--json") o.json = true;
    else if (a === "--keep") o.keep = true;
    else if (a === "--verify") o.verify = true;
    else if (a === "--only") o.only = argv[++i].split(",");
    else if (a === "--repeats") o.repeats = Number(argv[++i]);
    else throw new Error(`unknown argument ${a}; use --json, --only ${SCENARIOS.map((s) => s.name).join(",")}, --repeats N, --keep, --verify`);
  }
  for (const name of o.only) if (!SCENARIOS.some((s) => s.name === name)) throw new Error(`unknown scenario ${name}; use ${SCENARIOS.map((s) => s.name).join(",")}`);
  return o;
}

/** Resource records that ours or theirs changed, created or destroyed (the work a merge cannot skip). */
function changedRecords(s) {
  const [base, ours, theirs] = [s.base, s.ours, s.theirs].map((t) => JSON.parse(t));
  let n = 0;
  for (const uuid of new Set([...Object.keys(base), ...Object.keys(ours), ...Object.keys(theirs)])) {
    const records = (state) => state[uuid]?.resources ?? {};
    for (const name of new Set([...Object.keys(records(base)), ...Object.keys(records(ours)), ...Object.keys(records(theirs))])) {
      const b = JSON.stringify(records(base)[name]);
      if (b !== JSON.stringify(records(ours)[name]) || b !== JSON.stringify(records(theirs)[name])) n++;
    }
  }
  return n;
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

/** What install's commands set before Node (src/git/install.ts, PLAIN_NODE_START). */
const PLAIN_NODE = { NODE_EXTRA_CA_CERTS: "" };

/**
 * When this environment sets NODE_EXTRA_CA_CERTS: a bare Node start with and without it
 * (medians of 11, alternating), which the tools are spared; else null.
 */
function extraCaCerts() {
  const file = process.env.NODE_EXTRA_CA_CERTS;
  if (file === undefined || file === "") return null;
  const times = { with: [], without: [] };
  for (let i = 0; i < 11; i++) {
    for (const [k, env] of [["with", process.env], ["without", { ...process.env, ...PLAIN_NODE }]]) {
      const t0 = process.hrtime.bigint();
      spawnSync(process.execPath, ["-e", "0"], { env, stdio: "ignore" });
      times[k].push(Number(process.hrtime.bigint() - t0) / 1e6);
    }
  }
  return { file, withMs: median(times.with), withoutMs: median(times.without) };
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
  constructor(dir, scenario, rss) {
    this.dir = dir;
    this.scenario = scenario;
    this.rss = rss;
    const s = generateScenario(scenario.resources, 1, { deployed: scenario.deployed, deployments: scenario.deployments });
    this.trueConflicts = s.trueConflicts;
    this.changedRecords = changedRecords(s);
    this.files = {};
    for (const k of ["base", "ours", "theirs"]) {
      this.files[k] = join(dir, `${scenario.name}.${k}.json`);
      writeFileSync(this.files[k], s[k]);
    }
    this.inputBytes = Buffer.byteLength(s.base) + Buffer.byteLength(s.ours) + Buffer.byteLength(s.theirs);
    this.work = join(dir, `${scenario.name}.work.json`);
    this.env = { ...process.env, ...PLAIN_NODE, HOME: dir, XDG_CONFIG_HOME: dir, GIT_CONFIG_NOSYSTEM: "1", GIT_CONFIG_GLOBAL: join(dir, "gitconfig") };
    writeFileSync(this.env.GIT_CONFIG_GLOBAL, "");
  }

  commands() {
    const { base, theirs } = this.files;
    return {
      statefileMerge: [process.execPath, BIN, "merge", base, this.work, theirs, "-p", "state.json", "-l", "7", "-s", "base", "-x", "ours", "-y", "theirs", "--conflict-style", "merge"],
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
    const beyondFloor = sfm.medianMs - result.nodeFloor.medianMs;
    const out = {
      scenario: this.scenario.name,
      resources: this.scenario.resources,
      deployedPerSide: this.scenario.deployed ?? "a tenth of the machines",
      deployments: this.scenario.deployments ?? "one per 100 resources",
      inputBytes: this.inputBytes,
      trueConflicts: this.trueConflicts,
      changedRecords: this.changedRecords,
      // What the merge costs beyond the floor, per changed record and per MB of the three inputs.
      msPerChangedRecord: beyondFloor / this.changedRecords,
      msPerMB: beyondFloor / (this.inputBytes / 1e6),
      tools: result,
      ratioToGit: sfm.medianMs / result.gitMergeFile.medianMs,
      ratioToNode: sfm.medianMs / result.bareNode.medianMs,
      // The target's reach: the floor's own ratios leave this much room for the merge itself.
      floorToGit: result.nodeFloor.medianMs / result.gitMergeFile.medianMs,
      floorToNode: result.nodeFloor.medianMs / result.bareNode.medianMs,
      peakRssToInputs: sfm.peakRssBytes === null ? null : sfm.peakRssBytes / this.inputBytes,
    };
    const target = this.scenario.target;
    out.target = { text: target.text, met: target.check(out) };
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
  const ca = report.extraCaCerts;
  if (ca) {
    lines.push(
      `NODE_EXTRA_CA_CERTS is set here (${ca.file}): a bare Node start takes ${ms(ca.withMs)} ms with it and ${ms(ca.withoutMs)} ms without; ` +
        "every tool in the merge table below runs without it, as install's driver line starts the driver",
    );
  }
  lines.push(`load average: ${report.loadAverage.start.map((x) => x.toFixed(2)).join(" ")} at start, ${report.loadAverage.end.map((x) => x.toFixed(2)).join(" ")} at end; peak memory by ${report.rssMethod}`);
  lines.push("");
  lines.push("| scenario | resources | MB per file (3 files) | tool | median ms | min-max ms | vs git merge-file | vs bare node | vs floor | peak RSS MB | hunks / true conflicts |");
  lines.push("|---|---:|---:|---|---:|---:|---:|---:|---:|---:|---:|");
  const names = { statefileMerge: "statefile-merge merge", gitMergeFile: "git merge-file", bareNode: "node -e 0", nodeFloor: "floor: node reads 3, writes 1" };
  for (const r of report.results) {
    for (const [tool, t] of Object.entries(r.tools)) {
      const vsGit = tool === "bareNode" ? "" : (t.medianMs / r.tools.gitMergeFile.medianMs).toFixed(2) + "x";
      const vsNode = (t.medianMs / r.tools.bareNode.medianMs).toFixed(2) + "x";
      const vsFloor = (t.medianMs / r.tools.nodeFloor.medianMs).toFixed(2) + "x";
      const h = t.hunks === null ? "" : `${t.hunks} / ${r.trueConflicts}`;
      lines.push(`| ${r.scenario} | ${r.resources} | ${mb(r.inputBytes / 3)} | ${names[tool]} | ${ms(t.medianMs)} | ${ms(t.minMs)}-${ms(t.maxMs)} | ${vsGit} | ${vsNode} | ${vsFloor} | ${mb(t.peakRssBytes)} | ${h} |`);
    }
  }
  lines.push("");
  for (const r of report.results) {
    lines.push(
      `${r.scenario} (${r.resources} resources, ${r.changedRecords} changed records): target ${r.target.text}: ${r.target.met ? "met" : "NOT met"} ` +
        `(${r.ratioToGit.toFixed(2)}x git merge-file, ${r.ratioToNode.toFixed(2)}x bare node, ${(r.tools.statefileMerge.medianMs / r.tools.nodeFloor.medianMs).toFixed(2)}x the floor, peak RSS ${r.peakRssToInputs === null ? "n/a" : r.peakRssToInputs.toFixed(2) + "x inputs"}; ` +
        `the floor alone: ${r.floorToGit.toFixed(2)}x git merge-file, ${r.floorToNode.toFixed(2)}x bare node; beyond the floor: ${r.msPerChangedRecord.toFixed(3)} ms per changed record, ${r.msPerMB.toFixed(2)} ms per MB of input)`,
    );
  }
  return lines.join("\n");
}

function main() {
  const options = parseArgs(process.argv.slice(2));
  const dir = mkdtempSync(join(os.tmpdir(), "statefile-merge-bench-"));
  try {
    const rss = rssMethod();
    const report = { machine: machine(), extraCaCerts: extraCaCerts(), rssMethod: rss, loadAverage: { start: os.loadavg(), end: null }, results: [] };
    for (const scenario of SCENARIOS.filter((s) => options.only.includes(s.name))) {
      if (!options.json) process.stderr.write(`bench: ${scenario.name} (${scenario.resources} resources)...\n`);
      const bench = new Bench(dir, scenario, rss);
      report.results.push(bench.measure(options.repeats ?? scenario.repeats));
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
