#!/usr/bin/env node
"use strict";
// Git starts `statefile-merge merge ...` once per conflicted file, many times in one rebase, so
// that command goes straight to the driver: no command-line library, no other commands loaded.
// Only arguments in the plain form Git's driver line produces take this path; anything else
// (help, `--opt=value`, a repeated or unknown option, a value starting with "-") goes to the
// full command line in dist/cli.js, which parses it the usual way. `--version` alone is
// answered here too.

/** `merge` options: name -> [DriverOptions field, how its value is read]. */
const OPTIONS = {
  "-p": ["path", "text"],
  "--path": ["path", "text"],
  "-l": ["markerSize", "positive"],
  "--marker-size": ["markerSize", "positive"],
  "-s": ["baseLabel", "text"],
  "--base-label": ["baseLabel", "text"],
  "-x": ["oursLabel", "text"],
  "--ours-label": ["oursLabel", "text"],
  "-y": ["theirsLabel", "text"],
  "--theirs-label": ["theirsLabel", "text"],
  "-o": ["output", "text"],
  "--output": ["output", "text"],
  "--report-json": ["reportJson", "text"],
  "--conflict-style": ["conflictStyle", "style"],
  "--max-bytes": ["maxBytes", "positive"],
  "--virtual-base": ["virtualBase", "flag"],
};

/** The driver options for `merge` arguments in plain form, or null for the full parser. */
function plainMergeArguments(args) {
  const options = { virtualBase: false };
  const seen = new Set();
  const files = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (!arg.startsWith("-")) {
      files.push(arg);
      continue;
    }
    const known = Object.prototype.hasOwnProperty.call(OPTIONS, arg) ? OPTIONS[arg] : null;
    if (known === null || seen.has(known[0])) return null;
    seen.add(known[0]);
    const [field, kind] = known;
    if (kind === "flag") {
      options[field] = true;
      continue;
    }
    const value = args[++i];
    if (value === undefined || value.startsWith("-")) return null;
    if (kind === "positive") {
      const n = Number(value);
      if (!Number.isInteger(n) || n <= 0) return null;
      options[field] = n;
    } else if (kind === "style") {
      if (value !== "merge" && value !== "diff3" && value !== "zdiff3") return null;
      options[field] = value;
    } else options[field] = value;
  }
  if (files.length !== 3) return null;
  [options.base, options.ours, options.theirs] = files;
  return options;
}

/**
 * dist/driver/runMergeDriver.js from dist/driver.bundle.js (scripts/bundle-driver.js, run by
 * `npm run build`): one file to read and, with its V8 code cache, little to compile. Null, and
 * the bin loads dist/'s modules as usual, when the bundle is missing, or older than any module
 * it holds (dist/ rebuilt without it), or STATEFILE_MERGE_NO_BUNDLE is set.
 */
function bundledDriver() {
  if (process.env.STATEFILE_MERGE_NO_BUNDLE) return null;
  const fs = require("node:fs");
  const dist = __dirname + "/../dist";
  const file = dist + "/driver.bundle.js";
  let text;
  try {
    text = fs.readFileSync(file, "utf8");
  } catch {
    return null;
  }
  // First line: every module the bundle holds, with the size and time it was bundled at.
  const header = "//@sources ";
  const end = text.indexOf("\n");
  if (!text.startsWith(header) || end < 0) return null;
  let sources;
  try {
    sources = JSON.parse(text.slice(header.length, end));
  } catch {
    return null;
  }
  for (const [id, size, mtimeMs] of sources) {
    const st = fs.statSync(dist + "/" + id, { throwIfNoEntry: false });
    if (st === undefined || st.size !== size || st.mtimeMs !== mtimeMs) return null;
  }
  let cachedData;
  try {
    cachedData = fs.readFileSync(dist + "/driver.bundle.cache");
  } catch {
    // No cache (or an unreadable one): V8 compiles the bundle as it goes.
  }
  // V8 checks the cache against this source and this V8; a mismatch only costs the compile.
  const { Script } = require("node:vm");
  return new Script(text, { filename: file, cachedData }).runInThisContext()(require, dist);
}

if (process.env.STATEFILE_MERGE_TIMING) process.stderr.write(`statefile-merge: timing: ${performance.now().toFixed(1)} ms bin started\n`);
const args = process.argv.slice(2);
const driverOptions = args[0] === "merge" ? plainMergeArguments(args.slice(1)) : null;
if (args.length === 1 && (args[0] === "--version" || args[0] === "-V")) {
  // Scripts ask this often; the version is package.json's, one level above bin/ (and dist/).
  process.stdout.write(JSON.parse(require("node:fs").readFileSync(__dirname + "/../package.json", "utf8")).version + "\n");
} else if (driverOptions === null) {
  require("../dist/cli.js").main(process.argv);
} else {
  // As in dist/cli.js: nothing may escape to Git as an uncaught exception.
  const die = (e) => {
    process.stderr.write(`statefile-merge: internal error: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exit(255);
  };
  process.on("uncaughtException", die);
  process.on("unhandledRejection", die);
  try {
    process.exitCode = (bundledDriver() ?? require("../dist/driver/runMergeDriver.js")).runMergeDriver(driverOptions);
  } catch (e) {
    die(e);
  }
}
