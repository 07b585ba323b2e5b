#!/usr/bin/env node
"use strict";
// Git starts `statefile-merge merge ...` once per conflicted file, many times in one rebase, so
// that command goes straight to the driver: no command-line library, no other commands loaded.
// Only arguments in the plain form Git's driver line produces take this path (read by
// dist/driver/mergeArguments.js); anything else goes to the full command line in dist/cli.js.
// `--version` alone is answered here too.

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

// Written to fd 2 directly, as the driver writes its own lines (dist/io/processOutput.js).
if (process.env.STATEFILE_MERGE_TIMING) require("node:fs").writeSync(2, `statefile-merge: timing: ${performance.now().toFixed(1)} ms bin started\n`);
const args = process.argv.slice(2);
// The merge options' one table and reader (src/driver/mergeArguments.ts), a small module of its own.
const driverOptions = args[0] === "merge" ? require("../dist/driver/mergeArguments.js").plainMergeArguments(args.slice(1)) : null;
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
    // The three inputs are read at once off the main thread; the exit code follows.
    const driver = bundledDriver() ?? require("../dist/driver/runMergeDriver.js");
    // At once when no output stream is still writing (Node's teardown of the heap is skipped).
    driver.runMergeDriverReadingAtOnce(driverOptions).then(driver.endProcess, die);
  } catch (e) {
    die(e);
  }
}
