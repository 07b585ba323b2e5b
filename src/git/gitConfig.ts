// Read-only `git config` look-ups. Safe while Git holds index.lock during a merge.

import type { ConflictStyle } from "../formats/renderDocument";
import { GitError, gitText } from "./run";
import { commandLineConfig, type Environment } from "./commandLineConfig";

function gitConfigGet(key: string, cwd = process.cwd()): string | null {
  try {
    return gitText(cwd, ["config", "--get", key])?.trim() ?? null;
  } catch (e) {
    // No git to ask: the setting counts as unset, as before (the driver must still merge).
    if (e instanceof GitError) return null;
    throw e;
  }
}

/**
 * merge.conflictStyle as `git -c` (or GIT_CONFIG_COUNT) set it for this one command, if it did:
 * it outranks the style `install` copied into the driver command. Read from the environment
 * Git passes its drivers, without starting `git config`.
 */
export function conflictStyleOnCommandLine(env?: Environment): ConflictStyle | undefined {
  const style = commandLineConfig("merge.conflictStyle", env);
  return style === "merge" || style === "diff3" || style === "zdiff3" ? style : undefined;
}

/** The user's merge.conflictStyle, which Git does not pass to merge drivers. */
export function conflictStyleFromConfig(cwd?: string): ConflictStyle {
  const style = gitConfigGet("merge.conflictStyle", cwd);
  return style === "diff3" || style === "zdiff3" ? style : "merge";
}
