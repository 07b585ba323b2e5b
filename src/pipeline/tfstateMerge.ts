// The merge of three Terraform / OpenTofu state files (kindMerge.ts), from parsed values to
// the merged value in the writers' order and layout. Pure: no files, processes or Git.
//
//   1. every present side must be a state; version 4 and unencrypted, or the line merge
//      takes over with the reason;
//   2. lineage: base, ours and theirs must share one (ours and theirs, without a base):
//      otherwise they are two different states, one whole-file conflict;
//   3. the record merge (profiles/tfstate.ts), one object moved to two addresses made a
//      conflict (sameObject.ts), then the run values (runValues.ts);
//   4. put in the writers' order and layout (formats/tfstate); the pipeline renders it.

import { ABSENT, type JsonObject, type JsonValue, type Slot } from "../core/values";
import { mergeDocuments } from "../core/mergeValues";
import { containsHunk, type Conflict, type MergedObject } from "../core/merged";
import { lineageOf, tfstateKind, type TfstateKind } from "../formats/tfstate/detect";
import { inTfstateOrder, tfstateLayout, tfstateStyle } from "../formats/tfstate/tfstateCodec";
import { MODERN_GO } from "../formats/tfstate/goJson";
import { mergedSerial, nextSerial, setSerial, settleRunValues } from "../formats/tfstate/runValues";
import { wholeFileConflictText } from "../formats/tfstate/wholeFileConflict";
import { sameObjectConflicts } from "../formats/tfstate/sameObject";
import type { KindMergeInput, KindMergeResult } from "./kindMerge";

export const SIDE_NAMES = ["base", "ours", "theirs"] as const;

const UPGRADE = "run terraform or tofu once to upgrade the state format";

/** Why these sides cannot be merged as version 4 states, or null when they can. */
function unmergeable(kinds: readonly (TfstateKind | null | "absent")[]): string | null {
  for (let i = 0; i < kinds.length; i++) {
    const k = kinds[i];
    const name = SIDE_NAMES[i];
    if (k === "absent" || k?.kind === "v4") continue;
    if (k === null) return `${name} is not a Terraform state (no lineage and serial) while another side is`;
    if (k.kind === "encrypted") {
      return `${name} is an OpenTofu encrypted state, which cannot be merged without the key; decrypt the states (or merge from unencrypted copies), or keep one side and run tofu plan`;
    }
    const v = Number(k.version);
    if (v < 4) return `${name} is a version ${k.version} state; ${UPGRADE}`;
    return `${name} is a version ${k.version} state, newer than the version 4 this merge knows; upgrade statefile-merge`;
  }
  return null;
}

export function mergeTfstate(inputs: KindMergeInput): KindMergeResult {
  const { values, texts, profile } = inputs;
  const kinds = values.map((v) => (v === ABSENT ? ("absent" as const) : tfstateKind(v)));

  // The lineage rule comes first: it holds for encrypted and old states too.
  const lineages = values.map((v, i) => (v === ABSENT || kinds[i] === null ? null : lineageOf(v as JsonValue)));
  const present = lineages.filter((l): l is string => l !== null);
  if (new Set(present).size > 1) return lineageConflict(inputs, lineages);

  const refusal = unmergeable(kinds);
  if (refusal !== null) return { kind: "fallback", reason: refusal };
  const twice = inputs.duplicateKeys.findIndex((k) => k !== null);
  if (twice !== -1) {
    return { kind: "fallback", reason: `${SIDE_NAMES[twice]} has the key ${JSON.stringify(inputs.duplicateKeys[twice])} twice (Terraform never writes that; was it edited by hand?)` };
  }

  const [base, ours, theirs] = values as [Slot, JsonObject, JsonObject];
  const outcome = mergeDocuments(base, ours, theirs, profile.policy, { settle: inputs.settle });
  const merged = outcome.merged as MergedObject;
  // Moved two ways: one object at two addresses is a conflict, not two resources.
  const conflicts = Array.isArray(merged.get("resources")) ? [...outcome.conflicts, ...sameObjectConflicts(merged, { base, ours, theirs }, inputs.settle)] : outcome.conflicts;
  settleRunValues(merged, ours, theirs, outcome.autoResolved);
  // The serial is never a conflict, and is set by its own rule: nothing to report.
  const autoResolved = outcome.autoResolved.filter((a) => !(a.path.length === 1 && a.path[0] === "serial"));
  // With hunks the result equals neither side: one more than both, whichever side each hunk takes.
  setSerial(merged, containsHunk(merged) ? nextSerial(ours, theirs) : mergedSerial(merged as JsonObject, ours, theirs));

  const version = merged.get("terraform_version");
  const style = tfstateStyle([texts[1], texts[2], texts[0]], [ours, theirs, base], typeof version === "string" ? version : null);
  return {
    kind: "merged",
    merged: inTfstateOrder(merged, style),
    conflicts,
    autoResolved,
    warnings: outcome.warnings,
    layout: tfstateLayout(style.escaping),
  };
}

/** Two different states under one name: both whole files between markers (or the side settled on). */
function lineageConflict(inputs: KindMergeInput, lineages: (string | null)[]): KindMergeResult {
  const [base, ours, theirs] = inputs.values;
  const said = lineages.map((l, i) => (l === null ? null : `${SIDE_NAMES[i]} ${l}`)).filter((x) => x !== null);
  const reason = `the lineages differ (${said.join(", ")}): these are two different states, not two versions of one; keep one whole file (and import or re-create the other's resources)`;
  const settled = inputs.settle?.([]);
  const layout = tfstateLayout(MODERN_GO);
  const result = { merged: ours as JsonValue, layout, autoResolved: [], warnings: [{ path: [], message: reason }] };
  if (settled !== undefined) {
    const text = inputs.texts[SIDE_NAMES.indexOf(settled)];
    return { kind: "merged", conflicts: [], ...result, wholeText: () => text };
  }
  const conflict: Conflict = { path: [], kind: "lineage", base, ours, theirs };
  return { kind: "merged", conflicts: [conflict], ...result, wholeText: (markers) => wholeFileConflictText(inputs.texts, markers) };
}
