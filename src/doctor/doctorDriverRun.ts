// A trial run of a configured driver command, the way Git runs it (through the shell, the
// placeholders expanded, in the directory holding the temporary files), on tiny inputs in a
// throw-away directory. The inputs change adjacent lines, which Git's line merge cannot merge,
// so a clean result proves that a structural merge ran.

import { spawnSync, type SpawnSyncReturns } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { passesLabels, type GitVersion } from "../git/gitVersion";
import { shellQuote } from "../git/shellQuote";

const TIMEOUT_MS = 30_000;

const doc = (a: string, b: string) => `{\n  "a": "${a}",\n  "b": "${b}"\n}\n`;

/** Expands %O %A %B %L %P %S %X %Y %% as Git does (labels stay literal before Git 2.44). */
export function expandDriverCommand(command: string, files: { O: string; A: string; B: string }, path: string, version: GitVersion): string {
  const labels = passesLabels(version);
  return command.replace(/%(.)/g, (all, c: string) => {
    switch (c) {
      case "O":
      case "A":
      case "B":
        return files[c];
      case "L":
        return "7";
      case "P":
        return shellQuote(path);
      case "S":
        return labels ? shellQuote("base") : all;
      case "X":
        return labels ? shellQuote("ours") : all;
      case "Y":
        return labels ? shellQuote("theirs") : all;
      case "%":
        return "%";
      default:
        return all;
    }
  });
}

/** An environment without the variables that would tie git to the repository being checked. */
function isolatedEnv(dir: string): NodeJS.ProcessEnv {
  // The ceiling keeps git inside the throw-away directory: no repository is found around it.
  const env: NodeJS.ProcessEnv = { ...process.env, GIT_CEILING_DIRECTORIES: dirname(dir) };
  for (const k of Object.keys(env)) if (/^GIT_(DIR|WORK_TREE|INDEX_FILE|COMMON_DIR|PREFIX)$/.test(k) || k.startsWith("GITHEAD_")) delete env[k];
  return env;
}

/** Runs a configured command through the shell, as Git does, in `cwd` (the throw-away directory unless said). */
function runTrial(shellCommand: string, dir: string, scratch = dir): SpawnSyncReturns<string> {
  return spawnSync("sh", ["-c", shellCommand], {
    cwd: dir,
    env: isolatedEnv(scratch),
    encoding: "utf8",
    stdio: ["ignore", "pipe", "pipe"],
    timeout: TIMEOUT_MS,
  });
}

function firstLine(text: string): string {
  return text.trim().split("\n")[0]?.slice(0, 300) ?? "";
}

/**
 * null when the driver merged the test inputs as expected, else what went wrong. It runs in a
 * throw-away directory; a command that fails there is tried again at the work tree's top,
 * where Git runs drivers, so that a path relative to the repository (git.md's shared set-up)
 * is judged as Git would run it.
 */
export function tryMergeDriver(command: string, virtual: boolean, version: GitVersion, top: string): string | null {
  return isolatedThenTop((at) => trialMerge(command, virtual, version, at), top);
}

/** A trial in a throw-away directory (`at` null), then, only if it failed there, at the top; the first failure is the one told. */
function isolatedThenTop(trial: (at: string | null) => string | null, top: string): string | null {
  const isolated = trial(null);
  return isolated === null || trial(top) === null ? null : isolated;
}

function trialMerge(command: string, virtual: boolean, version: GitVersion, top: string | null): string | null {
  const dir = mkdtempSync(join(tmpdir(), "statefile-merge-doctor-"));
  try {
    const names = { O: ".merge_file_doctorO", A: ".merge_file_doctorA", B: ".merge_file_doctorB" };
    // At the top, the test files stay in the throw-away directory, named by absolute paths.
    const files = top === null ? names : { O: shellQuote(join(dir, names.O)), A: shellQuote(join(dir, names.A)), B: shellQuote(join(dir, names.B)) };
    // Clean test: ours changes a, theirs changes b. Virtual test: both change a (base wins).
    writeFileSync(join(dir, names.O), doc("1", "1"));
    writeFileSync(join(dir, names.A), doc("2", "1"));
    writeFileSync(join(dir, names.B), virtual ? doc("3", "1") : doc("1", "2"));
    const r = runTrial(expandDriverCommand(command, files, "doctor-check.nixops.json", version), top ?? dir, dir);
    if (r.error) return `it could not start (${r.error.message})`;
    if (r.signal) return `it was killed by ${r.signal}${r.signal === "SIGTERM" ? ` (no answer within ${TIMEOUT_MS / 1000}s)` : ""}`;
    if (r.status !== 0) return `it exited with status ${r.status} on a clean test merge${r.stderr.trim() ? `: ${firstLine(r.stderr)}` : ""}`;
    if (r.stdout !== "") return `it printed on standard output (${firstLine(r.stdout)}), which corrupts git merge-tree output`;
    let result: unknown;
    try {
      result = JSON.parse(readFileSync(join(dir, names.A), "utf8"));
    } catch {
      return "its result is not valid JSON";
    }
    const expected = virtual ? { a: "1", b: "1" } : { a: "2", b: "2" };
    if (JSON.stringify(result) !== JSON.stringify(expected)) {
      return `it merged a test file into ${JSON.stringify(result)} instead of ${JSON.stringify(expected)}`;
    }
    return null;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * null when the diff command exits 0 on Git's seven external-diff arguments. Like the merge
 * driver, it runs in a throw-away directory, then, if it failed there, at the work tree's top,
 * where Git runs diff commands (a command relative to the repository works only there).
 */
export function tryDiffCommand(command: string, top: string): string | null {
  return isolatedThenTop((at) => trialDiff(command, at), top);
}

function trialDiff(command: string, top: string | null): string | null {
  const dir = mkdtempSync(join(tmpdir(), "statefile-merge-doctor-"));
  try {
    writeFileSync(join(dir, "old"), doc("1", "1"));
    writeFileSync(join(dir, "new"), doc("2", "1"));
    const zero = "0".repeat(40);
    // At the top, the test files stay in the throw-away directory, named by absolute paths.
    const [oldFile, newFile] = top === null ? ["old", "new"] : [join(dir, "old"), join(dir, "new")];
    const args = ["doctor-check.nixops.json", oldFile, zero, "100644", newFile, zero, "100644"];
    const r = runTrial(`${command} ${args.map(shellQuote).join(" ")}`, top ?? dir, dir);
    if (r.error) return `it could not start (${r.error.message})`;
    if (r.signal) return `it was killed by ${r.signal}`;
    if (r.status !== 0) return `it exited with status ${r.status}${r.stderr.trim() ? `: ${firstLine(r.stderr)}` : ""}`;
    return null;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
