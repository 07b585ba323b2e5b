// Install copies merge.conflictStyle into the driver command (`--conflict-style X`), so the
// driver need not run `git config` on every conflicted merge. When the user changes the
// setting later, the driver keeps writing the old style until install runs again.

import type { DoctorCheck } from "./doctor";
import { DRIVER, conflictStyleInCommand } from "../git/install";
import { asConflictStyle } from "../git/installPlaces";
import { scopedValue } from "./scopedConfig";

export const checkConflictStyle: DoctorCheck = (ctx) => {
  const driver = scopedValue(ctx, `merge.${DRIVER}.driver`);
  if (driver === null) return [];
  const carried = conflictStyleInCommand(driver.value);
  // An older install carries no style: the driver then reads merge.conflictStyle itself.
  if (carried === null) return [];
  const style = scopedValue(ctx, "merge.conflictStyle");
  const effective = asConflictStyle(style?.value ?? null);
  if (carried === effective) {
    return [{ severity: "ok", check: "conflict-style", message: `merge.${DRIVER}.driver writes conflicts in the ${effective} style, as merge.conflictStyle says` }];
  }
  // A global install fixes it unless this clone sets its own style (then only a local install does).
  const styleIsLocal = style !== null && (style.scope === "local" || style.scope === "worktree");
  const rerun = driver.scope === "global" && !styleIsLocal ? "statefile-merge install --global" : "statefile-merge install";
  return [
    {
      severity: "error",
      check: "conflict-style",
      message: `merge.${DRIVER}.driver writes conflicts in the ${carried} style but merge.conflictStyle is ${effective}: run \`${rerun}\` to copy the setting into the driver command`,
    },
  ];
};
