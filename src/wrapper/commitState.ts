// `--commit`: commit the state file alone (other staged changes stay staged), with a message
// that names the nixops command and the deployments whose state changed.

import { spawnSync } from "node:child_process";
import { basename, dirname, resolve } from "node:path";
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

function git(cwd: string, args: string[], input?: string): { status: number; out: string } {
  const r = spawnSync("git", args, { cwd, input, encoding: "utf8", stdio: [input === undefined ? "ignore" : "pipe", "pipe", "pipe"] });
  return { status: r.status ?? 1, out: `${r.stdout}${r.stderr}`.trim() };
}

/** Commits the file; returns false when it has nothing to commit. */
export function commitStateFile(file: string, message: string): boolean {
  const cwd = dirname(resolve(file));
  const name = basename(file);
  const add = git(cwd, ["add", "--", name]);
  if (add.status !== 0) throw new WrapperError(`statefile-merge: git add ${file} failed: ${add.out.split("\n")[0]}; the state file is written, commit it by hand`, 1);
  if (git(cwd, ["diff", "--cached", "--quiet", "--", name]).status === 0) return false;
  const commit = git(cwd, ["commit", "-q", "-F", "-", "--", name], message);
  if (commit.status !== 0) throw new WrapperError(`statefile-merge: git commit of ${file} failed: ${commit.out.split("\n")[0]}; the state file is written, commit it by hand`, 1);
  return true;
}
