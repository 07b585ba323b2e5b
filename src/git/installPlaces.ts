// Where `install` and `uninstall` may write, and what they read first: the three attribute
// files (the committed .gitattributes, the clone's info/attributes, the user's global
// attributes file) and the merge.conflictStyle to copy into the driver command.

import { homedir } from "node:os";
import { isAbsolute, join, resolve } from "node:path";
import type { ConflictStyle } from "../formats/renderDocument";
import { gitPath, type Repo } from "./indexStages";
import { runGit } from "./run";

/** The attribute file install writes: `.gitattributes` only when asked (--attributes). */
export type AttributesTarget = "gitattributes" | "info" | "global";

function configValue(cwd: string, args: string[]): string | null {
  const r = runGit(cwd, ["config", ...args]);
  return r.status === 0 ? r.stdout.toString("utf8").replace(/\n$/, "") : null;
}

/**
 * The user's attributes file: core.attributesFile from the global config, else Git's XDG
 * default. `writing`: the file install is about to write, which must be one Git reads: when
 * only the system config sets core.attributesFile, Git reads that file and never the XDG
 * default, so lines written there would route nothing (refused; uninstall still cleans it).
 */
export function globalAttributesFile(cwd: string, writing = false): string {
  const home = process.env.HOME || homedir();
  const configured = configValue(cwd, ["--global", "--path", "--get", "core.attributesFile"]);
  if (configured !== null && configured !== "") return isAbsolute(configured) ? configured : resolve(home, configured);
  const system = writing ? configValue(cwd, ["--system", "--path", "--get", "core.attributesFile"]) : null;
  if (system !== null && system !== "") {
    throw new Error(
      `the system config sets core.attributesFile to ${system}, so Git reads no attributes file of your own and lines install wrote there would route nothing; ` +
        `set core.attributesFile in your global config (a copy of that file's lines plus install's), or run install in each clone without --global (nothing was changed)`,
    );
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
 * repository it happens to run in.
 */
export function conflictStyleToInstall(cwd: string, global: boolean): ConflictStyle {
  if (!global) return asConflictStyle(configValue(cwd, ["--get", "merge.conflictStyle"]));
  return asConflictStyle(configValue(cwd, ["--global", "--get", "merge.conflictStyle"]) ?? configValue(cwd, ["--system", "--get", "merge.conflictStyle"]));
}
