// Read-only `git config` look-ups. Safe while Git holds index.lock during a merge.

import { spawnSync } from "node:child_process";
import type { ConflictStyle } from "../formats/renderDocument";

export function gitConfigGet(key: string, cwd?: string): string | null {
  const r = spawnSync("git", ["config", "--get", key], { cwd, encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] });
  return r.status === 0 ? r.stdout.trim() : null;
}

/** The user's merge.conflictStyle, which Git does not pass to merge drivers. */
export function conflictStyleFromConfig(cwd?: string): ConflictStyle {
  const style = gitConfigGet("merge.conflictStyle", cwd);
  return style === "diff3" || style === "zdiff3" ? style : "merge";
}
