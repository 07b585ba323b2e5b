// The merge of three Terraform / OpenTofu state files, from parsed values to the text the
// writers would write. Pure: no files, processes or Git.
//
//   1. every present side must be a state; version 4 and unencrypted, or the line merge
//      takes over with the reason;
//   2. lineage: base, ours and theirs must share one (ours and theirs, without a base):
//      otherwise they are two different states, one whole-file conflict;
//   3. the record merge (profiles/tfstate.ts), then the run values (runValues.ts);
//   4. written in the writers' layout (formats/tfstate).

import { ABSENT, type JsonObject, type JsonValue, type Path, type Slot } from "../core/values";
import { mergeDocuments } from "../core/mergeValues";
import { containsHunk, type AutoResolved, type Conflict, type MergeWarning, type MergedObject, type Side } from "../core/merged";
import type { Markers } from "../formats/renderDocument";
import { lineageOf, tfstateKind, type TfstateKind } from "../formats/tfstate/detect";
import { tfstateStyle, writeTfstate } from "../formats/tfstate/tfstateCodec";
import { tfstateProfile } from "../profiles/tfstate";
import type { Profile } from "../profiles/profile";
import { mergedSerial, nextSerial, setSerial, settleRunValues } from "./runValues";
import { wholeFileConflictText } from "./wholeFileConflict";

export const SIDE_NAMES = ["base", "ours", "theirs"] as const;

export interface TfstateInputs {
  /** Parsed base, ours, theirs (ABSENT: no base). */
  values: readonly Slot[];
  /** Their texts (BOM removed), for the whole-file conflict and the escaping style. */
  texts: readonly string[];
  /** For each side, a key it wrote twice, if any (hand-edited files). */
  duplicateKeys: readonly (string | null)[];
}

export interface TfstateMergeSettings {
  markers: Markers;
  settle?: (path: Path) => Side | undefined;
  secretNames?: readonly string[];
}

export type TfstateMergeResult =
  | {
      kind: "merged";
      text: string;
      conflicts: Conflict[];
      autoResolved: AutoResolved[];
      profile: Profile;
      documents: Slot[];
      warnings: MergeWarning[];
    }
  | { kind: "fallback"; reason: string };

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

export function mergeTfstate(inputs: TfstateInputs, settings: TfstateMergeSettings): TfstateMergeResult {
  const { values, texts } = inputs;
  const documents = [...values];
  const profile = tfstateProfile(documents, settings.secretNames);
  const kinds = values.map((v) => (v === ABSENT ? ("absent" as const) : tfstateKind(v)));

  // The lineage rule comes first: it holds for encrypted and old states too.
  const lineages = values.map((v, i) => (v === ABSENT || kinds[i] === null ? null : lineageOf(v as JsonValue)));
  const present = lineages.filter((l): l is string => l !== null);
  if (new Set(present).size > 1) return lineageConflict(inputs, lineages, profile, settings);

  const refusal = unmergeable(kinds);
  if (refusal !== null) return { kind: "fallback", reason: refusal };
  const twice = inputs.duplicateKeys.findIndex((k) => k !== null);
  if (twice !== -1) {
    return { kind: "fallback", reason: `${SIDE_NAMES[twice]} has the key ${JSON.stringify(inputs.duplicateKeys[twice])} twice (Terraform never writes that; was it edited by hand?)` };
  }

  const [base, ours, theirs] = values as [Slot, JsonObject, JsonObject];
  const outcome = mergeDocuments(base, ours, theirs, profile.policy, { settle: settings.settle });
  const merged = outcome.merged as MergedObject;
  settleRunValues(merged, ours, theirs, outcome.autoResolved);
  // The serial is never a conflict, and is set by its own rule: nothing to report.
  const autoResolved = outcome.autoResolved.filter((a) => !(a.path.length === 1 && a.path[0] === "serial"));
  // With hunks the result equals neither side: one more than both, whichever side each hunk takes.
  setSerial(merged, containsHunk(merged) ? nextSerial(ours, theirs) : mergedSerial(merged as JsonObject, ours, theirs));

  const version = merged.get("terraform_version");
  const style = tfstateStyle([texts[1], texts[2], texts[0]], [ours, theirs, base], typeof version === "string" ? version : null);
  return {
    kind: "merged",
    text: writeTfstate(merged, style, settings.markers),
    conflicts: outcome.conflicts,
    autoResolved,
    profile,
    documents,
    warnings: outcome.warnings,
  };
}

/** Two different states under one name: both whole files between markers (or the side settled on). */
function lineageConflict(inputs: TfstateInputs, lineages: (string | null)[], profile: Profile, settings: TfstateMergeSettings): TfstateMergeResult {
  const [base, ours, theirs] = inputs.values;
  const said = lineages.map((l, i) => (l === null ? null : `${SIDE_NAMES[i]} ${l}`)).filter((x) => x !== null);
  const reason = `the lineages differ (${said.join(", ")}): these are two different states, not two versions of one; keep one whole file (and import or re-create the other's resources)`;
  const settled = settings.settle?.([]);
  const result = { profile, documents: [...inputs.values], autoResolved: [], warnings: [{ path: [], message: reason }] };
  if (settled !== undefined) {
    const index = SIDE_NAMES.indexOf(settled);
    return { kind: "merged", text: inputs.texts[index], conflicts: [], ...result };
  }
  const conflict: Conflict = { path: [], kind: "lineage", base, ours, theirs };
  return { kind: "merged", text: wholeFileConflictText(inputs.texts, settings.markers), conflicts: [conflict], ...result };
}
