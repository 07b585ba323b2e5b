// Where `install` and `uninstall` may write, and what they read first: the three attribute
// files (the committed .gitattributes, the clone's info/attributes, the user's global
// attributes file) and the merge.conflictStyle to copy into the driver command.

import { existsSync, readdirSync } from "node:fs";
import { homedir } from "node:os";
import { isAbsolute, join, relative, resolve } from "node:path";
import type { ConflictStyle } from "../formats/renderDocument";
import { gitPath, type Repo } from "./indexStages";
import { commonGitDir } from "./commonDir";
import { runGit } from "./run";

/** The attribute file install writes: `.gitattributes` only when asked (--attributes). */
export type AttributesTarget = "gitattributes" | "info" | "global";

function configValue(cwd: string, args: string[]): string | null {
  const r = runGit(cwd, ["config", ...args]);
  return r.status === 0 ? r.stdout.toString("utf8").replace(/\n$/, "") : null;
}

/**
 * A setting as Git reads it outside any one repository: the last value the global or system
 * config gives (the system file is skipped where GIT_CONFIG_NOSYSTEM says so, as Git skips it),
 * with its scope; null when neither sets it.
 */
function userValue(cwd: string, key: string, path: boolean): { value: string; scope: "global" | "system" } | null {
  const all = configValue(cwd, ["--show-scope", ...(path ? ["--path"] : []), "--get-all", key]);
  let found: { value: string; scope: "global" | "system" } | null = null;
  for (const line of all?.split("\n") ?? []) {
    const tab = line.indexOf("\t");
    const scope = line.slice(0, tab);
    if (scope === "global" || scope === "system") found = { value: line.slice(tab + 1), scope };
  }
  return found;
}

/**
 * The user's attributes file: core.attributesFile as the global (else system) config sets it,
 * else Git's XDG default. `writing`: the file install is about to write, which must be one
 * the user may change for themselves: a system setting outside the home directory names a
 * file shared by every user (refused, nothing changed); uninstall still cleans the default.
 */
export function globalAttributesFile(cwd: string, writing = false): string {
  const home = process.env.HOME || homedir();
  const set = userValue(cwd, "core.attributesFile", true);
  if (set !== null && set.value !== "") {
    const file = isAbsolute(set.value) ? set.value : resolve(home, set.value);
    const own = !relative(home, file).startsWith("..");
    if (set.scope === "global" || own) return file;
    if (writing) {
      throw new Error(
        `the system config sets core.attributesFile to ${set.value}, a file every user of this machine shares, so install --global would change it for all of them; ` +
          `set core.attributesFile in your global config (a copy of that file's lines plus install's), or run install in each clone without --global (nothing was changed)`,
      );
    }
  }
  const xdg = process.env.XDG_CONFIG_HOME || join(home, ".config");
  return join(xdg, "git", "attributes");
}

export function attributesPath(repo: Repo | null, target: AttributesTarget, cwd: string, writing = false): string {
  if (target === "global") return globalAttributesFile(cwd, writing);
  if (repo === null) throw new Error("no repository for a repository attribute file");
  return target === "gitattributes" ? join(repo.top, ".gitattributes") : gitPath(repo, "info/attributes");
}

/** How the report names an attribute file: the repository's relative to its top, others absolute. */
export function attributesName(target: AttributesTarget, file: string): string {
  if (target === "gitattributes") return ".gitattributes";
  if (target === "info") return ".git/info/attributes";
  return file;
}

/** True when Git's index holds the path (a committed or staged file). */
export function isTracked(repo: Repo, relPath: string): boolean {
  const r = runGit(repo.top, ["ls-files", "-z", "--", `:(literal)${relPath}`]);
  return r.status === 0 && r.stdout.length > 0;
}

export function asConflictStyle(value: string | null): ConflictStyle {
  return value === "diff3" || value === "zdiff3" ? value : "merge";
}

/**
 * The merge.conflictStyle the driver command should carry: the repository's effective value for
 * a local install, the global (else system) value for --global, which must not depend on the
 * repository it happens to run in. Null for a local install when a worktree of the repository
 * sets its own (`extensions.worktreeConfig`): one command shared by every worktree cannot
 * carry each one's style, so the driver asks `git config` in the worktree it merges in.
 */
export function conflictStyleToInstall(cwd: string, global: boolean): ConflictStyle | null {
  if (global) return asConflictStyle(userValue(cwd, "merge.conflictStyle", false)?.value ?? null);
  if (worktreeSetsConflictStyle(cwd)) return null;
  return asConflictStyle(configValue(cwd, ["--get", "merge.conflictStyle"]));
}

/** True when some worktree's own config (config.worktree) sets merge.conflictStyle. */
function worktreeSetsConflictStyle(cwd: string): boolean {
  if (configValue(cwd, ["--bool", "--get", "extensions.worktreeConfig"]) !== "true") return false;
  const common = commonGitDir(cwd);
  if (common === null) return false;
  const names = existsSync(join(common, "worktrees")) ? readdirSync(join(common, "worktrees")) : [];
  const files = [join(common, "config.worktree"), ...names.map((n) => join(common, "worktrees", n, "config.worktree"))];
  return files.some((f) => existsSync(f) && configValue(cwd, ["--file", f, "--get", "merge.conflictStyle"]) !== null);
}
