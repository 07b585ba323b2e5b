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

/** The install command that rewrites values from these scopes. */
export function installFor(scopes: readonly string[]): string {
  const global = scopes.filter((s) => s === "global").length;
  if (global === 0) return "`statefile-merge install`";
  if (global === scopes.length) return "`statefile-merge install --global`";
  return "`statefile-merge install --global` (for the global config) and `statefile-merge install` (for this clone's)";
}
