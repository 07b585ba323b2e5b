// The NixOps profile: the data behind SPEC §3 (volatile attributes, identity attributes,
// secret attributes) and the few functions that read it.

import { isObject, type JsonObject, type Path, type Slot } from "../core/values";
import type { MergePolicy } from "../core/policy";
import { pythonDumps } from "../formats/pythonJson";
import { matchesAny, type PathPattern } from "./pathPattern";
import { isSecretName } from "./secrets";
import type { Profile } from "./profile";

/** Values every deploy rewrites (SPEC §3, "Volatile attributes"). */
export const DEFAULT_VOLATILE: readonly PathPattern[] = [
  ["*", "configsPath"],
  ["*", "resources", "*", "configsPath"],
  ["*", "*tags", "CharonStateFile"],
  ["*", "resources", "*", "*tags", "CharonStateFile"],
];

/** Attributes set once when a resource is created: a new value means a new machine or volume. */
const COMMON_IDENTITY = ["creationTime", "vmId"] as const;
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

export interface NixopsSettings {
  volatile: readonly PathPattern[];
  identityByType: Readonly<Record<string, readonly string[]>>;
  secretNames: readonly string[];
}

export const DEFAULT_NIXOPS_SETTINGS: NixopsSettings = {
  volatile: DEFAULT_VOLATILE,
  identityByType: IDENTITY_BY_TYPE,
  secretNames: [],
};

const isResourcePath = (path: Path) => path.length === 3 && path[1] === "resources";

export function nixopsProfile(settings: NixopsSettings = DEFAULT_NIXOPS_SETTINGS): Profile {
  const policy: MergePolicy = {
    isVolatile: (path) => path.length >= 2 && matchesAny(path, settings.volatile),
    identityAttributes(path, ours, theirs) {
      if (!isResourcePath(path)) return null;
      const type = ours.get("type") ?? theirs.get("type");
      const own = typeof type === "string" ? settings.identityByType[type] ?? [] : [];
      return [...COMMON_IDENTITY, ...own];
    },
    typeAttribute: (path) => (isResourcePath(path) ? "type" : null),
    // `nixops -d NAME` picks a deployment by its name: two with one name cannot be told apart.
    nameAttribute: (path) => (path.length === 0 ? "name" : null),
    encodeEmbedded: pythonDumps,
  };
  return {
    name: "nixops",
    policy,
    isSecretPath(path) {
      const last = path[path.length - 1] ?? "";
      if (isSecretName(last, settings.secretNames)) return true;
      // keys.<name>.text holds the key itself; command-output's value holds generated secrets.
      if (path.length >= 3 && path[path.length - 3] === "keys" && last === "text") return true;
      return path.length === 4 && path[1] === "resources" && last === "value";
    },
    holdsSecrets: (path) => path[path.length - 1] === "keys",
    duplicateIsRecord: (path) => path.length === 1 || isResourcePath(path),
    describePath: describeNixopsPath,
  };
}

function deploymentName(uuid: string, documents: readonly Slot[]): string | null {
  for (const doc of documents) {
    if (!isObject(doc)) continue;
    const deployment = doc.get(uuid);
    const name = isObject(deployment) ? (deployment as JsonObject).get("name") : undefined;
    if (typeof name === "string") return name;
  }
  return null;
}

function describeNixopsPath(path: Path, documents: readonly Slot[]): string {
  if (path.length === 0) return "the whole file";
  const name = deploymentName(path[0], documents);
  const parts = [name ? `deployment ${name} (${path[0]})` : `deployment ${path[0]}`];
  let rest = path.slice(1);
  if (rest[0] === "resources" && rest.length >= 2) {
    parts.push(`resource ${rest[1]}`);
    rest = rest.slice(2);
  }
  if (rest.length > 0) parts.push(`attribute ${rest[0]}`);
  if (rest.length > 1) parts.push(`inner path ${rest.slice(1).join("/")}`);
  return parts.join(", ");
}
