// The semantic diff of two NixOps states, for reviewing a deploy: per deployment and resource,
// what was added, removed, re-created (an identity attribute changed), deployed (`toplevel`
// changed), started or stopped, and which attributes changed. Embedded JSON is compared by
// value, so a re-ordered `keys` blob is no change. Any other JSON diffs by path. Which one a
// file gets is the profile table's answer (kindReview.ts). Pure: it takes parsed documents.

import { ABSENT, isObject, type JsonObject, type JsonValue, type Path, type Slot } from "../core/values";
import type { Profile } from "../profiles/profile";
import { attributeChanges, type AttributeChange } from "./attributeChanges";
import type { PlanDiff } from "./tfstate/planDiff";

export type ResourceChangeKind = "added" | "removed" | "re-created" | "changed";

export interface StateChange {
  old: string | null;
  new: string | null;
  /** "started", "stopped", or "changed" for any other move (see STATE_NAMES). */
  verb: "started" | "stopped" | "changed";
}

export interface ResourceDiff {
  name: string;
  type: string | null;
  change: ResourceChangeKind;
  /** `toplevel` changed (a new system was deployed to this machine). */
  deployed: boolean;
  state: StateChange | null;
  /** The identity attributes whose change made this a different machine or volume. */
  identity: string[];
  attributes: AttributeChange[];
}

export interface DeploymentDiff {
  uuid: string;
  name: string | null;
  change: "added" | "removed" | "changed";
  attributes: AttributeChange[];
  resources: ResourceDiff[];
}

export type StateDiff =
  | { kind: "nixops"; deployments: DeploymentDiff[] }
  /** Any other JSON: the changed places, by path. */
  | { kind: "json"; changes: AttributeChange[] }
  /** Terraform / OpenTofu state: read like a plan (tfstate/planDiff.ts). */
  | { kind: "tfstate"; plan: PlanDiff };

/** NixOps' resource states (nixops/resources/__init__.py). */
export const STATE_NAMES: Readonly<Record<string, string>> = {
  "0": "unknown",
  "1": "missing",
  "2": "starting",
  "3": "up",
  "4": "stopping",
  "5": "stopped",
  "6": "unreachable",
  "7": "rescue",
};

const EMPTY: JsonObject = new Map();

const asObject = (v: Slot | undefined): JsonObject => (v !== undefined && isObject(v) ? v : EMPTY);
const asString = (v: Slot | undefined): string | null => (typeof v === "string" ? v : null);

/** The diff of any two JSON documents: the changed places, by path (ABSENT: no such file). */
export function diffJsonStates(oldDoc: Slot, newDoc: Slot, profile: Profile): StateDiff {
  return { kind: "json", changes: attributeChanges(oldDoc, newDoc, [], [], profile) };
}

/** The diff of two NixOps exports, embedded JSON decoded; a missing file (ABSENT) is an empty export. */
export function diffNixopsStates(oldDoc: Slot, newDoc: Slot, profile: Profile): StateDiff {
  const before = asObject(oldDoc);
  const after = asObject(newDoc);
  const deployments: DeploymentDiff[] = [];
  for (const uuid of unionKeys(before, after)) {
    const d = diffDeployment(uuid, before.get(uuid), after.get(uuid), profile);
    if (d) deployments.push(d);
  }
  return { kind: "nixops", deployments };
}

function unionKeys(a: JsonObject, b: JsonObject): string[] {
  return [...new Set([...a.keys(), ...b.keys()])].sort();
}

function diffDeployment(uuid: string, before: JsonValue | undefined, after: JsonValue | undefined, profile: Profile): DeploymentDiff | null {
  const change = before === undefined ? "added" : after === undefined ? "removed" : "changed";
  const b = asObject(before);
  const a = asObject(after);
  const name = asString(a.get("name")) ?? asString(b.get("name"));
  const withoutResources = (o: JsonObject) => new Map([...o].filter(([k]) => k !== "resources"));
  const attributes = attributeChanges(withoutResources(b), withoutResources(a), [uuid], [], profile);
  const rb = asObject(b.get("resources"));
  const ra = asObject(a.get("resources"));
  const resources: ResourceDiff[] = [];
  for (const name of unionKeys(rb, ra)) {
    const r = diffResource([uuid, "resources", name], rb.get(name), ra.get(name), profile);
    if (r) resources.push(r);
  }
  if (change === "changed" && attributes.length === 0 && resources.length === 0) return null;
  return { uuid, name, change, attributes, resources };
}

function diffResource(path: Path, before: JsonValue | undefined, after: JsonValue | undefined, profile: Profile): ResourceDiff | null {
  const b = asObject(before);
  const a = asObject(after);
  const attributes = attributeChanges(b, a, path, [], profile);
  if (before !== undefined && after !== undefined && attributes.length === 0) return null;
  const type = asString(a.get("type")) ?? asString(b.get("type"));
  const ids = profile.policy.identityAttributes(path, b, a) ?? [];
  const identity = before !== undefined && after !== undefined ? ids.filter((id) => attributes.some((c) => c.path.length === 1 && c.path[0] === id)) : [];
  const change: ResourceChangeKind = before === undefined ? "added" : after === undefined ? "removed" : identity.length > 0 ? "re-created" : "changed";
  const toplevel = attributes.some((c) => c.path.length === 1 && c.path[0] === "toplevel" && c.new !== ABSENT);
  return {
    name: path[2],
    type,
    change,
    deployed: toplevel && before !== undefined && after !== undefined,
    state: stateChange(b, a, change),
    identity,
    attributes,
  };
}

function stateChange(before: JsonObject, after: JsonObject, change: ResourceChangeKind): StateChange | null {
  if (change === "added" || change === "removed") return null;
  const old = asString(before.get("state"));
  const now = asString(after.get("state"));
  if (old === now) return null;
  const verb = now === "3" ? "started" : now === "4" || now === "5" ? "stopped" : "changed";
  return { old, new: now, verb };
}
