// The Terraform / OpenTofu state row of the profile table: outputs by name, resources by
// (module, mode, type, name), instances by (index key, deposed key); an instance or output
// that both sides changed differently is taken whole (formats/tfstate/instanceRule.ts);
// `serial`, `terraform_version` and `check_results` are rewritten by every run (the
// pipeline's tfstate merge settles them). Recognized by content, whatever the file's name.

import { ABSENT, type Slot } from "../core/values";
import { isTerraformState, tfstateKind } from "../formats/tfstate/detect";
import {
  INSTANCE_KEY,
  RESOURCE_KEY,
  describeStatePath,
  isInstancePath,
  isOutputPath,
} from "../formats/tfstate/addresses";
import { instanceConflict } from "../formats/tfstate/instanceRule";
import { stateSecrets } from "../formats/tfstate/stateSecrets";
import { tfstateSelectorPath } from "../formats/tfstate/selectors";
import type { ProfileRow } from "./profileRow";

/** Top-level values every run rewrites; a two-sided change is settled after the merge. */
export const RUN_VALUES = ["serial", "terraform_version", "check_results"] as const;

export const TFSTATE_ROW: ProfileRow = {
  name: "tfstate",
  recognizes: isTerraformState,
  // Any other side is read as a state too, so that the merge refuses it with the reason
  // ("ours is not a Terraform state while another side is") instead of guessing.
  admits: () => true,
  shape: "a Terraform state",
  kindName: "a Terraform state",
  // An object with a `lineage` string in its first lines: Terraform and OpenTofu write it before
  // outputs and resources, an encrypted state has it first, and a state with its keys sorted
  // (`jq -S`) has it second, while its `serial` comes after the resources.
  startsLike: [/^\s*\{/, /"lineage"\s*:\s*"/],
  mergesByRecord: (doc) => tfstateKind(doc)?.kind === "v4",
  records: [],
  identity: null,
  volatile: RUN_VALUES.map((v) => [v]),
  secretNames: [],
  // Provider data, opaque (may hold credentials).
  secretPaths: [["resources", "*", "instances", "*", "private"]],
  secretBlobs: [],
  embeddedJson: [],
  encodeEmbedded: (v) => JSON.stringify(v),
  layout: "tfstate",
  keyedArrays: [
    { pattern: ["resources"], field: RESOURCE_KEY },
    { pattern: ["resources", "*", "instances"], field: INSTANCE_KEY },
  ],
  wholeRecordConflict(path, base, ours, theirs) {
    if (isInstancePath(path)) return instanceConflict(base, ours, theirs);
    // An output is one value: two different changes to it are a conflict, never stitched.
    if (isOutputPath(path)) return base === ABSENT ? "add/add" : "modify/modify";
    return null;
  },
  // Sensitive attributes and outputs, and every instance's `private`; levels named like a
  // secret (an output `db_password`) are hidden by the table for every row.
  secretsIn: (documents: readonly Slot[]) => stateSecrets(documents).isSecretPath,
  describePath: describeStatePath,
  selectorPath: tfstateSelectorPath,
};
