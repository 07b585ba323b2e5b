// What `install` writes and `uninstall` removes: the driver commands in Git config (local or
// global) and a marked block of attribute lines. Both are idempotent, and uninstall only
// touches values it recognises as written by install, so a user's own settings survive.
// The committed .gitattributes changes only with --attributes; --global never touches the
// repository it runs in (see docs/install-and-doctor.md).

import { existsSync, lstatSync, mkdirSync, readFileSync, readlinkSync, unlinkSync, writeFileSync } from "node:fs";
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
 * Before the driver runs, the shell checks that node and the package are still there: after a
 * node upgrade (a garbage-collected /nix/store path) or a moved package, the command would fail
 * as "conflict" and leave Git plain ours without markers. Instead it says so, writes Git's line
 * merge into %A (what Git before 2.42 keeps) and exits 255 (Git 2.42 and later stop the merge,
 * changing nothing).
 */
function guarded(node: string, bin: string, command: string): string {
  const missing = "statefile-merge: the node or the package that merge.statefile.driver names is gone (node upgraded, or the package moved); run statefile-merge install again";
  return `[ -x ${node} ] && [ -f ${bin} ] || { echo '${missing}' >&2; git merge-file --marker-size=%L %A %O %B; exit 255; }; ${command}`;
}

/**
 * What a command Git starts per file sets before Node: no extra CA certificates. With
 * NODE_EXTRA_CA_CERTS set (behind corporate proxies, in some CI and sandbox images), Node 20
 * initialises OpenSSL and parses every certificate in that file before it runs a line of
 * JavaScript: on the bench's machine a bare Node start took 59-85 ms with it and 22-30 ms
 * without, more than a small merge costs. These commands never open a connection, and git
 * and git-crypt, all they start, do not read the variable.
 */
export const PLAIN_NODE_START = "NODE_EXTRA_CA_CERTS= ";

/** How a version of install wrote its commands; every form stays recognised as install's. */
export interface InstallForm {
  /** The shell checks that node and the package still exist before the merge driver runs. */
  guard: boolean;
  /** PLAIN_NODE_START before every command. */
  plainNodeStart: boolean;
}

/** The form install writes now. */
export const CURRENT_FORM: InstallForm = { guard: true, plainNodeStart: true };
/** Every form install has written, newest first. */
const INSTALL_FORMS: readonly InstallForm[] = [CURRENT_FORM, { guard: true, plainNodeStart: false }, { guard: false, plainNodeStart: false }];

/**
 * The config keys and values install writes, in order. The merge driver carries the conflict
 * style, so that it need not ask `git config` on every conflicted merge; null leaves it out.
 */
export function driverSettings(node = process.execPath, bin = defaultBin(), style: ConflictStyle | null = "merge", form = CURRENT_FORM): Array<[string, string]> {
  const start = form.plainNodeStart ? PLAIN_NODE_START : "";
  const run = `${start}${shellQuote(node)} ${shellQuote(bin)}`;
  // Git expands %O, %A, %P ... in a merge driver's command: a % in a path is written %%.
  const [n, b] = [node, bin].map((w) => shellQuote(w).replace(/%/g, "%%"));
  const merge = (args: string) => (form.guard ? guarded(n, b, `${start}${n} ${b} ${args}`) : `${start}${n} ${b} ${args}`);
  const styleOption = style === null ? "" : `--conflict-style ${style} `;
  return [
    [`merge.${DRIVER}.name`, "statefile-merge: NixOps export JSON, record by record"],
    [`merge.${DRIVER}.driver`, merge(`merge ${styleOption}${MERGE_ARGS}`)],
    [`merge.${DRIVER}.recursive`, VIRTUAL_DRIVER],
    [`merge.${VIRTUAL_DRIVER}.name`, "statefile-merge: virtual base of a criss-cross merge (conflicts take the base)"],
    [`merge.${VIRTUAL_DRIVER}.driver`, merge(`merge --virtual-base ${MERGE_ARGS}`)],
    [`diff.${DRIVER}.command`, `${run} git-diff`],
    // `git log -p` and `git show` skip diff commands unless given --ext-diff; textconv they use.
    [`diff.${DRIVER}.textconv`, `${run} textconv`],
  ];
}

/**
 * The form of install's that wrote a config value, with any node or package path and any
 * conflict style or none; null for a value install did not write. A command of the user's own
 * (`npx --no-install statefile-merge merge ...`, a wrapper script) is not install's, whatever
 * it ends with.
 */
export function installFormOf(key: string, value: string): InstallForm | null {
  const template = new Map(driverSettings("NODE", "BIN", null)).get(key);
  if (template === undefined) return null;
  // The first two shell-quoted words are node and the package's bin, in every form install writes.
  const words = [...value.matchAll(/'((?:[^']|'\\'')*)'/g)].map((m) => m[1].replace(/'\\''/g, "'"));
  if (words.length < 2) return template === value ? CURRENT_FORM : null;
  const unescape = (w: string) => (key.startsWith("merge.") ? w.replace(/%%/g, "%") : w);
  const [node, bin] = [unescape(words[0]), unescape(words[1])];
  if (!/statefile-merge(\.js)?$/.test(bin)) return null;
  for (const form of INSTALL_FORMS) {
    for (const style of [null, "merge", "diff3", "zdiff3"] as const) {
      if (driverSettings(node, bin, style, form).some(([k, v]) => k === key && v === value)) return form;
    }
  }
  return null;
}

/** True when a config value is one install writes, in any form it has written (installFormOf). */
export function isOurValue(key: string, value: string): boolean {
  return installFormOf(key, value) !== null;
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
  // Lines Git reads, that route no file: a macro definition, and a pattern for a directory.
  if (pattern.startsWith("[attr]")) throw new Error(`pattern ${JSON.stringify(pattern)} defines an attribute macro in gitattributes, which routes no file; name the files, such as state/*.json`);
  if (pattern.endsWith("/")) throw new Error(`pattern ${JSON.stringify(pattern)} ends in /, which matches no file in gitattributes; write ${pattern}** for the files below it`);
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
// Install's lines stand between its begin and end lines. Only those exact lines are install's:
// a line a person wrote or changed inside the block is theirs and stays byte for byte, as does
// every line outside it (its own line end included).

/** A line of the file with its own line end ("" for a last line without one). */
interface RawLine {
  text: string;
  end: string;
}

function rawLines(text: string): RawLine[] {
  const parts = text.split(/(\r?\n)/);
  const lines: RawLine[] = [];
  for (let i = 0; i < parts.length; i += 2) lines.push({ text: parts[i], end: parts[i + 1] ?? "" });
  if (lines.length > 0 && lines[lines.length - 1].text === "" && lines[lines.length - 1].end === "") lines.pop();
  return lines;
}

const joined = (lines: readonly RawLine[]) => lines.map((l) => l.text + l.end).join("");

/** The line install writes for this pattern, exactly (a line it may call its own). */
const isInstallLine = (text: string) => text.trim() !== "" && text.trim() === attributeLine(text.trim().split(/\s+/)[0]);

/** Install's begin line without its end line: nothing of the file can be told apart as install's. */
export class MalformedBlock extends Error {}

/** Install's block (begin and end line indexes), or null when the text has none. */
function findBlock(lines: readonly RawLine[]): { begin: number; end: number } | null {
  const begin = lines.findIndex((l) => l.text === BLOCK_BEGIN);
  if (begin < 0) return null;
  const end = lines.findIndex((l, i) => i > begin && l.text === BLOCK_END);
  if (end < 0) {
    throw new MalformedBlock(`install's block begins on line ${begin + 1} but its end line (${BLOCK_END}) is gone; put it back after install's lines, then run the command again (nothing was changed)`);
  }
  return { begin, end };
}

/** Adds the patterns' lines to the marked block (creating it); returns the new text or null if unchanged. */
export function addAttributeLines(text: string, patterns: string[]): string | null {
  const lines = rawLines(text);
  const block = findBlock(lines);
  // A pattern with install's exact line anywhere already (the user's own, or install's) is not added again.
  const wanted = patterns.filter((p, i) => patterns.indexOf(p) === i && !lines.some((l) => l.text.trim() === attributeLine(p)));
  if (wanted.length === 0) return null;
  const eol = block ? lines[block.end].end || lines[block.begin].end : (lines.find((l) => l.end !== "")?.end ?? "\n");
  const added = wanted.map((p) => ({ text: attributeLine(p), end: eol }));
  if (block) return joined([...lines.slice(0, block.end), ...added, ...lines.slice(block.end)]);
  const last = lines[lines.length - 1];
  const before = last && last.end === "" ? [...lines.slice(0, -1), { text: last.text, end: eol }] : lines;
  return joined([...before, { text: BLOCK_BEGIN, end: eol }, ...added, { text: BLOCK_END, end: eol }]);
}

/** Removes install's lines and its block's marks, keeping every other line; null if there was no block. */
export function removeAttributeLines(text: string): string | null {
  const lines = rawLines(text);
  const block = findBlock(lines);
  if (!block) return null;
  const inside = lines.slice(block.begin + 1, block.end).filter((l) => l.text.trim() !== "" && !isInstallLine(l.text));
  return joined([...lines.slice(0, block.begin), ...inside, ...lines.slice(block.end + 1)]);
}

/** True when the text has install's exact line for the pattern (in or out of install's block). */
function marksPattern(text: string, pattern: string): boolean {
  return rawLines(text).some((l) => l.text.trim() === attributeLine(pattern));
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
  // Asked before anything is written: a file Git would not read is refused whole, and so is
  // an attributes file install cannot change as asked (nothing of the config is set then).
  const globalFile = repo === null ? attributesPath(null, "global", options.cwd, true) : null;
  const style = conflictStyleToInstall(options.cwd, options.global);
  let lines: AttributesChange | null;
  if (globalFile !== null) {
    lines = addedLines("global", globalFile, options.patterns, null);
  } else if (options.attributes) {
    lines = addedLines("gitattributes", attributesPath(repo, "gitattributes", options.cwd), options.patterns, repo);
  } else {
    // The clone-only file, for the patterns that the team's .gitattributes does not mark yet.
    const team = readText(attributesPath(repo, "gitattributes", options.cwd));
    const missing = options.patterns.filter((p) => !marksPattern(team, p));
    lines = missing.length > 0 ? addedLines("info", attributesPath(repo, "info", options.cwd), missing, repo) : null;
    if (missing.length > 0) {
      advice.push(
        `.gitattributes does not mark ${missing.join(", ")}: teammates' clones will merge them line by line; \`statefile-merge install --attributes\` adds the lines to .gitattributes (a file you then commit)`,
      );
    }
  }
  for (const [key, value] of driverSettings(options.node, options.bin, style)) {
    const current = configGet(options.cwd, options.global, key);
    if (current === value) continue;
    gitOk(options.cwd, ["config", scopeFlag(options.global), key, value]);
    report.push(current === null ? `set ${key} in the ${where}` : `replaced ${key} in the ${where} (was: ${current})`);
  }
  writeChanges(report, lines === null ? [] : [lines]);
  if (report.length === 0) report.push("already installed; nothing changed");
  return [...report, ...advice];
}

/** A malformed block named with its file: the message must say which file to fix. */
function inFile<T>(file: string, read: () => T): T {
  try {
    return read();
  } catch (e) {
    if (e instanceof MalformedBlock) throw new Error(`${file}: ${e.message}`);
    throw e;
  }
}

/**
 * Git reads no .gitattributes that is a symbolic link (since 2.32): lines written through one
 * route nothing. Any other attributes file may be a link (kept a link: its target is written),
 * but not one to nothing, which a write would replace with a file of its own.
 */
function refuseLinkedAttributes(target: AttributesTarget, file: string): void {
  const link = lstatSync(file, { throwIfNoEntry: false })?.isSymbolicLink() === true;
  if (link && target === "gitattributes") {
    throw new Error(`${file} is a symbolic link, which Git does not read as .gitattributes; replace it with a regular file, then run the command again (nothing was changed)`);
  }
  if (link && !existsSync(file)) {
    throw new Error(`${file} is a symbolic link to ${readlinkSync(file)}, which does not exist; create that file or remove the link, then run the command again (nothing was changed)`);
  }
}

/** A change to an attributes file, checked and made but not written yet: `write` writes it and says what it did. */
interface AttributesChange {
  write(): string;
}

/** Writes the changes, adding what each did to the report; one that cannot be written (no permission) says what was done before it. */
function writeChanges(report: Report, changes: readonly AttributesChange[]): void {
  for (const change of changes) {
    try {
      report.push(change.write());
    } catch (e) {
      throw new Error(`${(e as Error).message}${report.length > 0 ? ` (done before that: ${report.join("; ")})` : ""}`);
    }
  }
}

/** Adding the patterns' lines to `file`, or null when it marks them all already; refuses what it cannot change. */
function addedLines(target: AttributesTarget, file: string, patterns: string[], repo: Repo | null): AttributesChange | null {
  refuseLinkedAttributes(target, file);
  const after = inFile(file, () => addAttributeLines(readText(file), patterns));
  if (after === null) return null;
  return {
    write: () => {
      const existed = existsSync(file);
      writeAttributes(file, after);
      return `added ${patterns.join(", ")} to ${attributesName(target, file)}${committedNote(target, repo, existed)}`;
    },
  };
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
  // Every attributes file is read (and a malformed one refused) before anything is changed.
  const changes: AttributesChange[] = [];
  const notes: Report = [];
  const remove = (target: AttributesTarget, file: string) => {
    const change = removedLines(target, file, repo);
    if (change !== null) changes.push(change);
  };
  if (repo === null) {
    remove("global", attributesPath(null, "global", options.cwd));
  } else {
    remove("info", attributesPath(repo, "info", options.cwd));
    const team = attributesPath(repo, "gitattributes", options.cwd);
    if (options.attributes === true) {
      remove("gitattributes", team);
    } else if (existsSync(team) && inFile(team, () => removeAttributeLines(readText(team))) !== null) {
      notes.push(team);
    }
  }
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
  writeChanges(report, changes);
  if (notes.length > 0) {
    // A driver still configured elsewhere (the global config) keeps merging those files.
    const still = git(options.cwd, ["config", "--get", `merge.${DRIVER}.driver`]).status === 0;
    const effect = still ? "and the merge driver still configured outside this repository (the global config) merges those files" : "so Git now merges those files line by line in this clone";
    report.push(`.gitattributes still holds install's lines (left alone: it is shared with the team), ${effect}; \`statefile-merge uninstall --attributes\` removes the lines too`);
  }
  if (report.length === 0) report.push("nothing installed; nothing changed");
  return report;
}

/** Removing install's lines from `file`, or null when it has none (or does not exist); refuses what it cannot change. */
function removedLines(target: AttributesTarget, file: string, repo: Repo | null): AttributesChange | null {
  if (lstatSync(file, { throwIfNoEntry: false }) === undefined) return null;
  refuseLinkedAttributes(target, file);
  const after = inFile(file, () => removeAttributeLines(readFileSync(file, "utf8")));
  if (after === null) return null;
  return {
    write: () => {
      const tracked = target === "gitattributes" && repo !== null && isTracked(repo, ".gitattributes");
      if (after === "") unlinkSync(file);
      else writeAttributes(file, after);
      const what = after === "" ? " (now empty, deleted" + (tracked ? ": commit the deletion)" : ")") : tracked ? " (a committed file: review and commit the change)" : "";
      return `removed the statefile-merge lines from ${attributesName(target, file)}${what}`;
    },
  };
}

/** `git config --unset` leaves an empty `[merge "statefile"]` header behind; drop it. */
function removeSectionIfEmpty(options: UninstallOptions, section: string): void {
  const keys = git(options.cwd, ["config", scopeFlag(options.global), "--get-regexp", `^${section.replace(/\./g, "\\.")}\\.`]);
  if (keys.status === 0 && keys.stdout.trim() !== "") return;
  // Fails harmlessly when the section does not exist.
  git(options.cwd, ["config", scopeFlag(options.global), "--remove-section", section]);
}
