// Read-only `git config` look-ups. Safe while Git holds index.lock during a merge.

import type { ConflictStyle } from "../formats/renderDocument";
import { GitError, gitText } from "./run";

function gitConfigGet(key: string, cwd = process.cwd()): string | null {
  try {
    return gitText(cwd, ["config", "--get", key])?.trim() ?? null;
  } catch (e) {
    // No git to ask: the setting counts as unset, as before (the driver must still merge).
    if (e instanceof GitError) return null;
    throw e;
  }
}

/** The user's merge.conflictStyle, which Git does not pass to merge drivers. */
export function conflictStyleFromConfig(cwd?: string): ConflictStyle {
  const style = gitConfigGet("merge.conflictStyle", cwd);
  return style === "diff3" || style === "zdiff3" ? style : "merge";
}
