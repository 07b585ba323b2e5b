// What `verify` checks for a merge commit that changed a Terraform state: the merged state
// keeps the parents' lineage and has a serial higher than every parent's, so that
// `terraform state push` accepts it over any of them. A merge that took one parent's file
// unchanged is fine as it is (Git did not need a merge there), unless another parent holds a
// different state at the same serial or a higher one: push refuses it over that parent, as
// Terraform refuses a different state with the same serial. Pure: parsed documents in.

import { valuesEqual, type JsonObject, type Slot } from "../core/values";
import { isTerraformState, lineageOf, serialOf } from "../formats/tfstate/detect";

/** Problems, as sentences; empty when the merge result is sound (or not a state at all). */
export function mergedStateProblems(parents: readonly Slot[], merged: Slot): string[] {
  if (!isTerraformState(merged)) return [];
  const states: JsonObject[] = parents.filter(isTerraformState);
  if (states.length === 0) return [];
  if (states.some((p) => valuesEqual(p, merged))) return keptParentProblems(states, merged);
  const problems: string[] = [];
  const lineage = lineageOf(merged);
  states.forEach((p, i) => {
    const l = lineageOf(p);
    if (l !== lineage) problems.push(`the lineage changed: parent ${i + 1} has ${String(l)}, the merge ${String(lineage)} (two different states were merged)`);
  });
  const serial = serialOf(merged);
  const serials = states.map((p) => serialOf(p) ?? 0n);
  const highest = serials.reduce((a, b) => (a > b ? a : b));
  if (serial === null || serial <= highest) {
    problems.push(`the serial ${String(serial)} is not higher than the parents' (${serials.join(", ")}): terraform state push would refuse it over the newest; set it to ${highest + 1n}`);
  }
  return problems;
}

/** The merge kept one parent's state: a problem only where another parent's differs at a serial as high. */
function keptParentProblems(states: readonly JsonObject[], merged: JsonObject): string[] {
  const serial = serialOf(merged) ?? 0n;
  const serials = states.map((p) => serialOf(p) ?? 0n);
  const highest = serials.reduce((a, b) => (a > b ? a : b));
  return states.flatMap((p, i) =>
    !valuesEqual(p, merged) && serials[i] >= serial
      ? [`the merge kept another parent's state at serial ${serial}, and parent ${i + 1} holds a different state at serial ${serials[i]}: terraform state push would refuse it over parent ${i + 1}; set it to ${highest + 1n}`]
      : [],
  );
}
