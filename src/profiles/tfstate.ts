// The Terraform / OpenTofu state profile: outputs by name, resources by (module, mode, type,
// name), instances by (index key, deposed key); an instance or output that both sides changed
// differently is taken whole (see tfstate/instanceRule.ts); `serial`, `terraform_version` and
// `check_results` are rewritten by every run (tfstate/mergeState.ts settles them).

import type { MergePolicy } from "../core/policy";
import type { Path, Slot } from "../core/values";
import {
  INSTANCE_KEY,
  RESOURCE_KEY,
  describeStatePath,
  isInstancePath,
  isInstancesPath,
  isOutputPath,
  isResourcesPath,
} from "../tfstate/addresses";
import { instanceConflict } from "../tfstate/instanceRule";
import { stateSecrets } from "../tfstate/stateSecrets";
import { isSecretName } from "./secrets";
import type { Profile } from "./profile";

/** Top-level values every run rewrites; a two-sided change is settled after the merge. */
export const RUN_VALUES = ["serial", "terraform_version", "check_results"] as const;

export const TFSTATE_POLICY: MergePolicy = {
  isVolatile: (path) => path.length === 1 && (RUN_VALUES as readonly string[]).includes(path[0]),
  identityAttributes: () => null,
  typeAttribute: () => null,
  encodeEmbedded: (v) => JSON.stringify(v),
  arrayKey: (path) => (isResourcesPath(path) ? RESOURCE_KEY : isInstancesPath(path) ? INSTANCE_KEY : null),
  wholeRecordConflict(path, base, ours, theirs) {
    if (isInstancePath(path)) return instanceConflict(base, ours, theirs);
    // An output is one value: two different changes to it are a conflict, never stitched.
    if (isOutputPath(path)) return "modify/modify";
    return null;
  },
};

/** The profile for these documents (their sensitive attributes and outputs are hidden in every output). */
export function tfstateProfile(documents: readonly Slot[], secretNames: readonly string[] = []): Profile {
  const secrets = stateSecrets(documents);
  return {
    name: "tfstate",
    policy: TFSTATE_POLICY,
    isSecretPath(path: Path) {
      if (secrets.isSecretPath(path)) return true;
      // Any level named like a secret (an output `db_password`, an attribute `tags.api_token`);
      // segments like `[index_key,deposed="db-password",null]` name records, not secrets.
      return path.some((key) => !key.startsWith("[") && isSecretName(key, secretNames));
    },
    duplicateIsRecord: () => false,
    describePath: (path) => describeStatePath(path),
  };
}
