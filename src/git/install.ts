// What `install` writes and `uninstall` removes: the driver commands in Git config (local or
// global) and a marked block of attribute lines. Both are idempotent, and uninstall only
// touches values it recognises as written by install, so a user's own settings survive.

import { existsSync, mkdirSync, readFileSync, unlinkSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { writeFileAtomic } from "../io/atomicWrite";
import { findRepo, gitPath, type Repo } from "./indexStages";
import { runGit } from "./run";
import { shellQuote } from "./shellQuote";

export const DRIVER = "statefile";
export const VIRTUAL_DRIVER = "statefile-virtual";
export const DEFAULT_PATTERNS = ["*.nixops.json", "*.nixops-exported"];
export const BLOCK_BEGIN = "# >>> statefile-merge install (`statefile-merge uninstall` removes this block)";
export const BLOCK_END = "# <<< statefile-merge install";

/** The placeholders Git fills in; Git shell-quotes %P, %S, %X and %Y itself. */
export const MERGE_ARGS = "%O %A %B -p %P -l %L -s %S -x %X -y %Y";

export type AttributesTarget = "gitattributes" | "info";

export interface InstallOptions {
  cwd: string;
  global: boolean;
  patterns: string[];
  attributesFile: AttributesTarget;
  /** The command that runs this tool; default: this Node binary and this package's bin. */
  node?: string;
  bin?: string;
}

/** One line per thing done, for the user. */
export type Report = string[];

export function defaultBin(): string {
  // dist/git/install.js and src/git/install.ts both sit two levels below the package root.
  return resolve(__dirname, "..", "..", "bin", "statefile-merge.js");
}

/** The config keys and values install writes, in order. */
export function driverSettings(node = process.execPath, bin = defaultBin()): Array<[string, string]> {
  const run = `${shellQuote(node)} ${shellQuote(bin)}`;
  return [
    [`merge.${DRIVER}.name`, "statefile-merge: NixOps export JSON, record by record"],
    [`merge.${DRIVER}.driver`, `${run} merge ${MERGE_ARGS}`],
    [`merge.${DRIVER}.recursive`, VIRTUAL_DRIVER],
    [`merge.${VIRTUAL_DRIVER}.name`, "statefile-merge: virtual base of a criss-cross merge (conflicts take the base)"],
    [`merge.${VIRTUAL_DRIVER}.driver`, `${run} merge --virtual-base ${MERGE_ARGS}`],
    [`diff.${DRIVER}.command`, `${run} git-diff`],
    // `git log -p` and `git show` skip diff commands unless given --ext-diff; textconv they use.
    [`diff.${DRIVER}.textconv`, `${run} textconv`],
  ];
}

/** True when a config value is one install writes (with any node or package path). */
export function isOurValue(key: string, value: string): boolean {
  const ours = new Map(driverSettings("NODE", "BIN"));
  const template = ours.get(key);
  if (template === undefined) return false;
  if (!template.includes("'NODE' 'BIN'")) return value === template;
  const tail = template.slice(template.indexOf("'BIN'") + "'BIN'".length);
  return value.endsWith(tail) && value.includes("statefile-merge");
}

export function attributeLine(pattern: string): string {
  return `${pattern} merge=${DRIVER} diff=${DRIVER}`;
}

function checkPattern(pattern: string): void {
  if (pattern === "" || /\s/.test(pattern) || pattern.startsWith("#") || pattern.startsWith("!")) {
    throw new Error(`pattern ${JSON.stringify(pattern)} cannot go in a gitattributes file; use a glob without spaces, '#' or '!' at its start`);
  }
}

// ---- git plumbing (read-only except `git config` writes) ----

function git(cwd: string, args: string[]): { status: number; stdout: string; stderr: string } {
  const r = runGit(cwd, args);
  return { status: r.status, stdout: r.stdout.toString("utf8"), stderr: r.stderr };
}

function gitOk(cwd: string, args: string[]): string {
  const r = git(cwd, args);
  if (r.status !== 0) throw new Error(`git ${args.join(" ")} failed: ${r.stderr.trim()}`);
  return r.stdout;
}

function attributesPath(repo: Repo, target: AttributesTarget): string {
  return target === "gitattributes" ? join(repo.top, ".gitattributes") : gitPath(repo, "info/attributes");
}

/** Replaces a file whole; a new one is created empty first so that it gets the usual (umask) mode, which the replace keeps. */
function writeAttributes(file: string, text: string): void {
  if (!existsSync(file)) {
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, "", { flag: "wx" });
  }
  writeFileAtomic(file, text);
}

function scopeFlag(global: boolean): string {
  return global ? "--global" : "--local";
}

function configGet(cwd: string, global: boolean, key: string): string | null {
  const r = git(cwd, ["config", scopeFlag(global), "--get", key]);
  return r.status === 0 ? r.stdout.replace(/\n$/, "") : null;
}

// ---- attribute blocks ----

interface Block {
  before: string[];
  patterns: string[];
  after: string[];
}

function splitLines(text: string): { lines: string[]; eol: string } {
  const eol = text.includes("\r\n") ? "\r\n" : "\n";
  const lines = text.split(/\r?\n/);
  if (lines[lines.length - 1] === "") lines.pop();
  return { lines, eol };
}

function findBlock(lines: string[]): Block | null {
  const begin = lines.indexOf(BLOCK_BEGIN);
  if (begin < 0) return null;
  const endRel = lines.slice(begin).indexOf(BLOCK_END);
  const end = endRel < 0 ? lines.length : begin + endRel;
  const patterns = lines
    .slice(begin + 1, end)
    .filter((l) => l.trim() !== "" && !l.startsWith("#"))
    .map((l) => l.trim().split(/\s+/)[0]);
  return { before: lines.slice(0, begin), patterns, after: lines.slice(end + 1) };
}

function renderBlock(patterns: string[]): string[] {
  return [BLOCK_BEGIN, ...patterns.map(attributeLine), BLOCK_END];
}

/** Adds the patterns to the marked block (creating it); returns the new text or null if unchanged. */
export function addAttributeLines(text: string, patterns: string[]): string | null {
  const { lines, eol } = splitLines(text);
  const block = findBlock(lines);
  const outside = block ? [...block.before, ...block.after] : lines;
  // A line the user wrote already: install did not add it, so uninstall must not remove it.
  const wanted = patterns.filter((p) => !outside.some((l) => l.trim() === attributeLine(p)));
  const kept = block ? block.patterns : [];
  const merged = [...kept, ...wanted.filter((p) => !kept.includes(p))];
  if (block && merged.length === kept.length) return null;
  if (!block && merged.length === 0) return null;
  const result = block ? [...block.before, ...renderBlock(merged), ...block.after] : [...lines, ...renderBlock(merged)];
  return result.join(eol) + eol;
}

/** Removes the marked block; returns the new text or null if there was none. */
export function removeAttributeLines(text: string): string | null {
  const { lines, eol } = splitLines(text);
  const block = findBlock(lines);
  if (!block) return null;
  const rest = [...block.before, ...block.after];
  return rest.length === 0 ? "" : rest.join(eol) + eol;
}

// ---- install / uninstall ----

export function install(options: InstallOptions): Report {
  const report: Report = [];
  options.patterns.forEach(checkPattern);
  const repo = findRepo(options.cwd);
  if (repo === null && !options.global) {
    throw new Error(`${options.cwd} is not inside a Git work tree; run install inside the clone, or use --global for the config part`);
  }
  const where = options.global ? "global config" : "repository config";
  for (const [key, value] of driverSettings(options.node, options.bin)) {
    const current = configGet(options.cwd, options.global, key);
    if (current === value) continue;
    gitOk(options.cwd, ["config", scopeFlag(options.global), key, value]);
    report.push(current === null ? `set ${key} in the ${where}` : `replaced ${key} in the ${where} (was: ${current})`);
  }
  const file = repo === null ? null : attributesPath(repo, options.attributesFile);
  if (file === null) {
    report.push("not inside a work tree: no attribute lines written; run `statefile-merge install` in each repository to add them");
  } else {
    const before = existsSync(file) ? readFileSync(file, "utf8") : "";
    const after = addAttributeLines(before, options.patterns);
    if (after !== null) {
      writeAttributes(file, after);
      report.push(`added ${options.patterns.join(", ")} to ${file}`);
    }
  }
  if (report.length === 0) report.push("already installed; nothing changed");
  return report;
}

export interface UninstallOptions {
  cwd: string;
  global: boolean;
}

export function uninstall(options: UninstallOptions): Report {
  const report: Report = [];
  const where = options.global ? "global config" : "repository config";
  for (const [key] of driverSettings()) {
    const current = configGet(options.cwd, options.global, key);
    if (current === null) continue;
    if (!isOurValue(key, current)) {
      report.push(`kept ${key} in the ${where}: its value was not written by install (${current})`);
      continue;
    }
    gitOk(options.cwd, ["config", scopeFlag(options.global), "--unset-all", key]);
    report.push(`removed ${key} from the ${where}`);
  }
  for (const section of [`merge.${DRIVER}`, `merge.${VIRTUAL_DRIVER}`, `diff.${DRIVER}`]) {
    removeSectionIfEmpty(options, section);
  }
  const repo = findRepo(options.cwd);
  if (repo !== null) {
    for (const target of ["gitattributes", "info"] as const) {
      const file = attributesPath(repo, target);
      if (!existsSync(file)) continue;
      const after = removeAttributeLines(readFileSync(file, "utf8"));
      if (after === null) continue;
      if (after === "") unlinkSync(file);
      else writeAttributes(file, after);
      report.push(`removed the statefile-merge lines from ${file}${after === "" ? " (now empty, deleted)" : ""}`);
    }
  }
  if (report.length === 0) report.push("nothing installed; nothing changed");
  return report;
}

/** `git config --unset` leaves an empty `[merge "statefile"]` header behind; drop it. */
function removeSectionIfEmpty(options: UninstallOptions, section: string): void {
  const keys = git(options.cwd, ["config", scopeFlag(options.global), "--get-regexp", `^${section.replace(/\./g, "\\.")}\\.`]);
  if (keys.status === 0 && keys.stdout.trim() !== "") return;
  // Fails harmlessly when the section does not exist.
  git(options.cwd, ["config", scopeFlag(options.global), "--remove-section", section]);
}
