#!/usr/bin/env node
"use strict";
// The least any merge driver written for Node must do, timed by `npm run bench` beside the real
// one: start Node, read base, ours and theirs whole, and replace ours (%A) with a result as large
// as ours (here ours itself) through a temporary file and a rename. No parse, no merge. What
// statefile-merge spends beyond this is its own; what this spends, no Node driver can avoid.
// The files are read as the driver reads them (dist/io/readWhole.js: large ones at once, each
// in one read on libuv's thread pool): reading them more slowly would only lift the floor.
//
//   node scripts/bench-floor.js BASE OURS THEIRS

const { renameSync, statSync, writeFileSync } = require("node:fs");
const { readFiles } = require("../dist/io/readWhole.js");

const files = process.argv.slice(2, 5);
const ours = files[1];
readFiles(files, files.map((f) => statSync(f).size)).then(([, result]) => {
  const temp = `${ours}.floor-${process.pid}.tmp`;
  writeFileSync(temp, result);
  renameSync(temp, ours);
});
