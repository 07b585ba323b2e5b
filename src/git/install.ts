// What `install` writes and `uninstall` removes: the driver commands in Git config (local or
// global) and a marked block of attribute lines. Both are idempotent, and uninstall only
// touches values it recognises as written by install, so a user's own settings survive.
// The committed .gitattributes changes only with --attributes; --global never touches the
// repository it runs in (see docs/install-and-doctor.md).

import { existsSync, mkdirSync, readFileSync, unlinkSync, writeFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import type { ConflictStyle } from "../formats/renderDocument";
import { writeFileAtomic } from "../io/atomicWrite";
import { findRepo, type Repo } from "./indexStages";
import { attributesName, attributesPath, conflictStyleToInstall, isTracked, type AttributesTarget } from "./installPlaces";
import { runGit } from "./run";
import { shellQuote } from "./shellQuote";

export type { AttributesTarget } from "./installPlaces";

export const DRIVER = "statefile";
export const VIRTUAL_DRIVER = "statefile-virtual";
export const DEFAULT_PATTERNS = ["*.nixops.json", "*.nixops-exported"];
export const BLOCK_BEGIN = "# >>> statefile-merge install (`statefile-merge uninstall` removes this block)";
export const BLOCK_END = "# <<< statefile-merge install";

/** The placeholders Git fills in; Git shell-quotes %P, %S, %X and %Y itself. */
export const MERGE_ARGS = "%O %A %B -p %P -l %L -s %S -x %X -y %Y";

export interface InstallOptions {
  cwd: string;
  global: boolean;
  patterns: string[];
  /** Write the attribute lines into the committed .gitattributes (else .git/info/attributes). */
  attributes: boolean;
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

/** The option that carries merge.conflictStyle into the driver command (Git does not pass it). */
export const CONFLICT_STYLE_OPTION = /(?:^|\s)--conflict-style[= ](\S+)/;

/**
 * The config keys and values install writes, in order. The merge driver carries the conflict
 * style, so that it need not ask `git config` on every conflicted merge; null leaves it out.
 */
export function driverSettings(node = process.execPath, bin = defaultBin(), style: ConflictStyle | null = "merge"): Array<[string, string]> {
  const run = `${shellQuote(node)} ${shellQuote(bin)}`;
  // Git expands %O, %A, %P ... in a merge driver's command: a % in a path is written %%.
  const mergeRun = run.replace(/%/g, "%%");
  const styleOption = style === null ? "" : `--conflict-style ${style} `;
  return [
    [`merge.${DRIVER}.name`, "statefile-merge: NixOps export JSON, record by record"],
    [`merge.${DRIVER}.driver`, `${mergeRun} merge ${styleOption}${MERGE_ARGS}`],
    [`merge.${DRIVER}.recursive`, VIRTUAL_DRIVER],
    [`merge.${VIRTUAL_DRIVER}.name`, "statefile-merge: virtual base of a criss-cross merge (conflicts take the base)"],
    [`merge.${VIRTUAL_DRIVER}.driver`, `${mergeRun} merge --virtual-base ${MERGE_ARGS}`],
    [`diff.${DRIVER}.command`, `${run} git-diff`],
    // `git log -p` and `git show` skip diff commands unless given --ext-diff; textconv they use.
    [`diff.${DRIVER}.textconv`, `${run} textconv`],
  ];
}

/** True when a config value is one install writes (with any node or package path, any conflict style or none). */
export function isOurValue(key: string, value: string): boolean {
  const ours = new Map(driverSettings("NODE", "BIN", null));
  const template = ours.get(key);
  if (template === undefined) return false;
  if (!template.includes("'NODE' 'BIN'")) return value === template;
  const tail = template.slice(template.indexOf("'BIN'") + "'BIN'".length);
  // Exactly install's form: two shell-quoted paths (node, then this package's bin), then the
  // arguments; a command of the user's own (`npx --no-install statefile-merge merge ...`, a
  // wrapper script) is not install's, whatever it ends with.
  const quoted = "'(?:[^']|'\\\\'')*'";
  const form = new RegExp(`^${quoted} (${quoted})(.*)$`, "s").exec(value);
  if (!form || !/statefile-merge(\.js)?'$/.test(form[1])) return false;
  return form[2].replace(/^ merge --conflict-style \S+(?= )/, " merge") === tail;
}

/** The conflict style written into a driver command, or null when it carries none (an older install). */
export function conflictStyleInCommand(command: string): string | null {
  return CONFLICT_STYLE_OPTION.exec(command)?.[1] ?? null;
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

/** True when the text has install's exact line for the pattern (in or out of install's block). */
function marksPattern(text: string, pattern: string): boolean {
  return splitLines(text).lines.some((l) => l.trim() === attributeLine(pattern));
}

function readText(file: string): string {
  return existsSync(file) ? readFileSync(file, "utf8") : "";
}

// ---- install / uninstall ----

const GLOBAL_WITH_ATTRIBUTES =
  "--global never changes a repository, and --attributes changes this repository's committed .gitattributes; run `statefile-merge install --global` and, inside the clone, `statefile-merge install --attributes` separately";

export function install(options: InstallOptions): Report {
  const report: Report = [];
  /** What the user could still do, after what was done. */
  const advice: Report = [];
  options.patterns.forEach(checkPattern);
  if (options.global && options.attributes) throw new Error(GLOBAL_WITH_ATTRIBUTES);
  // --global must not depend on, or change, the repository it happens to run in.
  const repo = options.global ? null : findRepo(options.cwd);
  if (repo === null && !options.global) {
    throw new Error(`${options.cwd} is not inside a Git work tree; run install inside the clone, or use --global for the config part`);
  }
  const where = options.global ? "global config" : "repository config";
  const style = conflictStyleToInstall(options.cwd, options.global);
  for (const [key, value] of driverSettings(options.node, options.bin, style)) {
    const current = configGet(options.cwd, options.global, key);
    if (current === value) continue;
    gitOk(options.cwd, ["config", scopeFlag(options.global), key, value]);
    report.push(current === null ? `set ${key} in the ${where}` : `replaced ${key} in the ${where} (was: ${current})`);
  }
  if (repo === null) {
    addLines(report, "global", attributesPath(null, "global", options.cwd), options.patterns, null);
  } else if (options.attributes) {
    addLines(report, "gitattributes", attributesPath(repo, "gitattributes", options.cwd), options.patterns, repo);
  } else {
    // The clone-only file, for the patterns that the team's .gitattributes does not mark yet.
    const team = readText(attributesPath(repo, "gitattributes", options.cwd));
    const missing = options.patterns.filter((p) => !marksPattern(team, p));
    if (missing.length > 0) {
      addLines(report, "info", attributesPath(repo, "info", options.cwd), missing, repo);
      advice.push(
        `.gitattributes does not mark ${missing.join(", ")}: teammates' clones will merge them line by line; \`statefile-merge install --attributes\` adds the lines to .gitattributes (a file you then commit)`,
      );
    }
  }
  if (report.length === 0) report.push("already installed; nothing changed");
  return [...report, ...advice];
}

function addLines(report: Report, target: AttributesTarget, file: string, patterns: string[], repo: Repo | null): void {
  const after = addAttributeLines(readText(file), patterns);
  if (after === null) return;
  const existed = existsSync(file);
  writeAttributes(file, after);
  report.push(`added ${patterns.join(", ")} to ${attributesName(target, file)}${committedNote(target, repo, existed)}`);
}

/** What the user must do after a change to .gitattributes, which is shared through commits. */
function committedNote(target: AttributesTarget, repo: Repo | null, existed: boolean): string {
  if (target !== "gitattributes" || repo === null) return target === "info" ? " (this clone only)" : "";
  if (!existed) return " (new file: commit it to share it with the team)";
  return isTracked(repo, ".gitattributes") ? " (a committed file: review and commit the change)" : " (not committed yet: commit it to share it with the team)";
}

export interface UninstallOptions {
  cwd: string;
  global: boolean;
  /** Also remove install's block from the committed .gitattributes. */
  attributes?: boolean;
}

export function uninstall(options: UninstallOptions): Report {
  const report: Report = [];
  if (options.global && options.attributes === true) throw new Error(GLOBAL_WITH_ATTRIBUTES.replace(/install/g, "uninstall"));
  const repo = options.global ? null : findRepo(options.cwd);
  if (repo === null && !options.global) {
    throw new Error(`${options.cwd} is not inside a Git work tree; run uninstall inside the clone, or use --global for the global config`);
  }
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
  if (repo === null) {
    removeLines(report, "global", attributesPath(null, "global", options.cwd), null);
  } else {
    removeLines(report, "info", attributesPath(repo, "info", options.cwd), repo);
    const team = attributesPath(repo, "gitattributes", options.cwd);
    if (options.attributes === true) {
      removeLines(report, "gitattributes", team, repo);
    } else if (existsSync(team) && removeAttributeLines(readText(team)) !== null) {
      report.push(
        ".gitattributes still holds install's lines (left alone: it is shared with the team), so Git now merges those files line by line in this clone; `statefile-merge uninstall --attributes` removes the lines too",
      );
    }
  }
  if (report.length === 0) report.push("nothing installed; nothing changed");
  return report;
}

function removeLines(report: Report, target: AttributesTarget, file: string, repo: Repo | null): void {
  if (!existsSync(file)) return;
  const after = removeAttributeLines(readFileSync(file, "utf8"));
  if (after === null) return;
  const tracked = target === "gitattributes" && repo !== null && isTracked(repo, ".gitattributes");
  if (after === "") unlinkSync(file);
  else writeAttributes(file, after);
  const what = after === "" ? " (now empty, deleted" + (tracked ? ": commit the deletion)" : ")") : tracked ? " (a committed file: review and commit the change)" : "";
  report.push(`removed the statefile-merge lines from ${attributesName(target, file)}${what}`);
}

/** `git config --unset` leaves an empty `[merge "statefile"]` header behind; drop it. */
function removeSectionIfEmpty(options: UninstallOptions, section: string): void {
  const keys = git(options.cwd, ["config", scopeFlag(options.global), "--get-regexp", `^${section.replace(/\./g, "\\.")}\\.`]);
  if (keys.status === 0 && keys.stdout.trim() !== "") return;
  // Fails harmlessly when the section does not exist.
  git(options.cwd, ["config", scopeFlag(options.global), "--remove-section", section]);
}
