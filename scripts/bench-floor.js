#!/usr/bin/env node
"use strict";
// The least any merge driver written for Node must do, timed by `npm run bench` beside the real
// one: start Node, read base, ours and theirs whole, and replace ours (%A) with a result as large
// as ours (here ours itself) through a temporary file and a rename. No parse, no merge. What
// statefile-merge spends beyond this is its own; what this spends, no Node driver can avoid.
//
//   node scripts/bench-floor.js BASE OURS THEIRS

const { readFileSync, renameSync, writeFileSync } = require("node:fs");

const [base, ours, theirs] = process.argv.slice(2);
readFileSync(base);
const result = readFileSync(ours);
readFileSync(theirs);
const temp = `${ours}.floor-${process.pid}.tmp`;
writeFileSync(temp, result);
renameSync(temp, ours);
