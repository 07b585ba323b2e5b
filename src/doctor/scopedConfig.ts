// Where a config value comes from, so that doctor's advice names the install that rewrites it:
// a value from the global config is rewritten by `install --global`, not by a clone's install.

import type { DoctorContext } from "./doctor";

/** A config value and the scope it comes from ("local", "global", ...; "" when git cannot say). */
export function scopedValue(ctx: DoctorContext, key: string): { scope: string; value: string } | null {
  const scoped = ctx.git(["config", "--show-scope", "--get", key]);
  if (scoped.status === 0) {
    const line = scoped.stdout.replace(/\n$/, "");
    const tab = line.indexOf("\t");
    return { scope: line.slice(0, tab), value: line.slice(tab + 1) };
  }
  // Git before 2.26 has no --show-scope.
  const plain = ctx.git(["config", "--get", key]);
  return plain.status === 0 ? { scope: "", value: plain.stdout.replace(/\n$/, "") } : null;
}

/**
 * What rewrites these values: `install` for this clone's, `install --global` for the global
 * config's. A worktree's own value (`extensions.worktreeConfig`) outranks what install writes,
 * so it is removed first.
 */
export function installFor(found: ReadonlyArray<{ key: string; scope: string }>): string {
  const global = found.filter((f) => f.scope === "global").length;
  const worktree = found.filter((f) => f.scope === "worktree").map((f) => `git config --worktree --unset ${f.key}`);
  const install =
    global === 0 ? "`statefile-merge install`" : global === found.length ? "`statefile-merge install --global`" : "`statefile-merge install --global` (for the global config) and `statefile-merge install` (for this clone's)";
  return worktree.length === 0 ? install : `\`${worktree.join("; ")}\` (this worktree's own values outrank install's), then ${install}`;
}
