// `--commit`: commit the state file alone (other staged changes stay staged), with a message
// that names the nixops command and the deployments whose state changed.

import { existsSync, realpathSync } from "node:fs";
import { basename, dirname, resolve } from "node:path";
import { GitError, runGit } from "../git/run";
import type { DeploymentChange } from "./exportedState";
import { WrapperError } from "./errors";

export function commitMessage(command: string, changes: readonly DeploymentChange[], status: number): string {
  const names = changes.map((c) => c.name).join(", ");
  const subject = `${command}: ${changes.length === 0 ? "state file rewritten" : `state of ${names} changed`}`;
  const body = [`Command: ${command}`];
  if (status !== 0) body.push(`nixops exited with status ${status}; the state it left behind is recorded anyway.`);
  if (changes.length > 0) {
    body.push("", "Deployments whose state changed:");
    for (const c of changes) body.push(`- ${c.name} (${c.uuid}): ${c.change}`);
  }
  return `${subject}\n\n${body.join("\n")}\n`;
}

/** Runs a git step; null when it worked, else the first line git printed (or why it could not run). */
function failure(cwd: string, args: string[], input?: string): string | null {
  try {
    const r = runGit(cwd, args, input);
    return r.status === 0 ? null : `${r.stdout.toString("utf8")}${r.stderr}`.trim().split("\n")[0] || `git exited with status ${r.status}`;
  } catch (e) {
    if (e instanceof GitError) return e.message;
    throw e;
  }
}

/**
 * Before nixops runs with `--commit`: the file must hold nothing uncommitted (an edit, a
 * staged change, or the whole file untracked), which the commit would take in under a
 * message that names only what nixops changed.
 */
export function refuseUncommitted(file: string): void {
  const ignored = () => new WrapperError(`statefile-merge: ${file} is ignored by Git (a .gitignore line), so the run could not commit it (--commit, --push); un-ignore it, or run without those`);
  if (!existsSync(file)) {
    // Created by this run: the commit adds it, unless Git ignores that name.
    const absolute = resolve(file);
    if (existsSync(dirname(absolute)) && runGit(dirname(absolute), ["check-ignore", "-q", "--", basename(absolute)]).status === 0) throw ignored();
    return;
  }
  const target = realpathSync(file);
  const r = runGit(dirname(target), ["status", "--porcelain", "--ignored", "--", basename(target)]);
  const status = r.status === 0 ? r.stdout.toString("utf8").trim() : "";
  if (status === "") return;
  if (status.startsWith("!!")) throw ignored();
  throw new WrapperError(
    `statefile-merge: ${file} has changes that are not committed (git status lists them), which --commit would commit under a message naming only what nixops changed; ` +
      `commit or stash them first, or run without --commit`,
  );
}

/** Commits the file (the one a symbolic link names: git would commit the link); returns false when it has nothing to commit. */
export function commitStateFile(file: string, message: string): boolean {
  const target = realpathSync(file);
  const cwd = dirname(target);
  const name = basename(target);
  const add = failure(cwd, ["add", "--", name]);
  if (add !== null) throw new WrapperError(`statefile-merge: git add ${file} failed: ${add}; the state file is written, commit it by hand`, 1);
  if (runGit(cwd, ["diff", "--cached", "--quiet", "--", name]).status === 0) return false;
  const commit = failure(cwd, ["commit", "-q", "-F", "-", "--", name], message);
  if (commit !== null) throw new WrapperError(`statefile-merge: git commit of ${file} failed: ${commit}; the state file is written, commit it by hand`, 1);
  return true;
}
