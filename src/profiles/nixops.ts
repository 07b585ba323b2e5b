// The NixOps row of the profile table: the data behind docs/merge-rules.md (levels, volatile,
// identity and secret attributes) for the JSON that `nixops export --all` prints.

import { pythonDumps } from "../formats/pythonJson";
import { isNixopsExport, isNixopsShaped } from "../formats/nixopsExport";
import type { PathPattern } from "./pathPattern";
import type { ProfileRow } from "./profileRow";

/** Values every deploy rewrites (docs/merge-rules.md, "Volatile values"). */
export const DEFAULT_VOLATILE: readonly PathPattern[] = [
  ["*", "configsPath"],
  ["*", "resources", "*", "configsPath"],
  ["*", "*tags", "CharonStateFile"],
  ["*", "resources", "*", "*tags", "CharonStateFile"],
];

/** Attributes set once when a resource is created: a new value means a new machine or volume. */
export const IDENTITY_BY_TYPE: Readonly<Record<string, readonly string[]>> = {
  "ec2-keypair": ["ec2.keyPairName"],
  "ec2-security-group": ["ec2.securityGroupId"],
  "elastic-ip": ["allocationId"],
  "ebs-volume": ["ec2.volumeId"],
  "ec2-placement-group": ["ec2.placementGroupName"],
  "s3-bucket": ["ec2.bucketName"],
  "hcloud-sshkey": ["hcloud.id"],
  "hcloud-volume": ["hcloud.id"],
  droplet: ["droplet.dropletId"],
  digitalOcean: ["droplet.dropletId"],
  "gce-disk": ["gce.name"],
  "gce-static-ip": ["gce.name"],
};

const RESOURCE: PathPattern = ["*", "resources", "*"];

export const NIXOPS_ROW: ProfileRow = {
  name: "nixops",
  recognizes: isNixopsExport,
  admits: isNixopsShaped,
  shape: "a NixOps export (deployments with resource records)",
  kindName: "a NixOps export",
  // `{ "<deployment uuid>": {`: how every `nixops export` with a deployment starts (any hex
  // and dashes, as verify always took it: a hand-made key still reads as the merge reads it).
  startsLike: [/^\s*\{\s*"[0-9a-fA-F-]{8,}"\s*:\s*\{/],
  records: [
    { at: ["*"], noun: "deployment", nameAttribute: "name", uniqueName: true },
    { at: RESOURCE, noun: "resource" },
  ],
  identity: { at: RESOURCE, typeAttribute: "type", common: ["creationTime", "vmId"], byType: IDENTITY_BY_TYPE },
  volatile: DEFAULT_VOLATILE,
  secretNames: [],
  // keys.<name>.text holds the key itself; command-output's value holds generated secrets; a
  // deployment's `args` hold what --arg/--argstr gave, which the wrapper hides as secrets too.
  secretPaths: [["**", "keys", "*", "text"], [...RESOURCE, "value"], ["*", "args", "*"]],
  secretBlobs: [["**", "keys"]],
  embeddedJson: [["*", "*"], [...RESOURCE, "*"]],
  encodeEmbedded: pythonDumps,
  layout: "nixops",
};
