// A throw-away Git repository for the demos, isolated from the user's own Git config
// (its own HOME, no system config) so that the demo shows exactly what `install` sets up.
"use strict";

const { execFileSync, spawnSync } = require("node:child_process");
const { mkdtempSync, mkdirSync } = require("node:fs");
const { tmpdir } = require("node:os");
const { join } = require("node:path");

function throwawayRepo(prefix, name) {
  const work = mkdtempSync(join(tmpdir(), prefix));
  const dir = join(work, name);
  const home = join(work, "home");
  mkdirSync(dir);
  mkdirSync(home);
  const env = {
    ...process.env,
    HOME: home,
    GIT_CONFIG_NOSYSTEM: "1",
    GIT_CONFIG_GLOBAL: join(home, ".gitconfig"),
    GIT_AUTHOR_NAME: "Alice",
    GIT_AUTHOR_EMAIL: "alice@example.org",
    GIT_COMMITTER_NAME: "Alice",
    GIT_COMMITTER_EMAIL: "alice@example.org",
    GIT_MERGE_AUTOEDIT: "no",
  };
  return {
    work,
    dir,
    env,
    /** Runs git; throws when it fails. */
    git: (...args) => execFileSync("git", args, { cwd: dir, env, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] }),
    /** Runs git and returns status and output, failing or not. */
    tryGit: (...args) => spawnSync("git", args, { cwd: dir, env, encoding: "utf8" }),
  };
}

function say(text) {
  process.stdout.write(`\n== ${text}\n`);
}

module.exports = { throwawayRepo, say };
