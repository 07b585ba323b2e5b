// Selectors name the conflicts `resolve` settles, the way people speak of a state file:
// `prod` (a deployment, by name or UUID), `prod/app1` (a resource), `prod/app1/toplevel`
// (an attribute), `prod/app1/keys/app-env/text` (a place inside embedded JSON),
// `prod/configsPath` (a deployment attribute). In other JSON a selector is a path of keys
// (`/tenants/plan`, JSON-pointer escapes allowed), where an element of a keyed array is named
// by its identity (`tenants/globex`, or `globex` alone when one keyed array holds it). A
// selector covers every conflict at or below the place it names.

import { unescapeKey } from "../profiles/pathPattern";
import { isObject, type JsonObject, type Path, type Slot } from "../core/values";
import { valueAt } from "../view/loadState";
import { elementSegment, identityOf } from "../core/mergeKeyedArrays";
import type { Profile } from "../profiles/profile";

export class SelectorError extends Error {}

function segments(selector: string): string[] {
  return selector
    .replace(/^\/+/, "")
    .split("/")
    .filter((s) => s !== "")
    .map(unescapeKey);
}

function deployments(documents: readonly Slot[]): Array<[string, JsonObject]> {
  const out: Array<[string, JsonObject]> = [];
  for (const doc of documents) {
    if (!isObject(doc)) continue;
    for (const [uuid, d] of doc) if (isObject(d) && !out.some(([u]) => u === uuid)) out.push([uuid, d]);
  }
  return out;
}

function findDeployment(name: string, documents: readonly Slot[]): string {
  const all = deployments(documents);
  if (all.some(([uuid]) => uuid === name)) return name;
  const byName = [...new Set(all.filter(([, d]) => d.get("name") === name).map(([uuid]) => uuid))];
  if (byName.length === 1) return byName[0];
  if (byName.length > 1) throw new SelectorError(`several deployments are named ${JSON.stringify(name)}; select one by UUID (${byName.join(", ")})`);
  const known = all.map(([uuid, d]) => (typeof d.get("name") === "string" ? `${d.get("name") as string} (${uuid})` : uuid));
  throw new SelectorError(`no deployment ${JSON.stringify(name)} in this file; it has ${known.join(", ") || "none"}`);
}

function isResourceName(uuid: string, name: string, documents: readonly Slot[]): boolean {
  return documents.some((doc) => {
    const d = isObject(doc) ? doc.get(uuid) : undefined;
    const resources = isObject(d) ? d.get("resources") : undefined;
    return isObject(resources) && resources.has(name);
  });
}

/** The path a selector names, read against the documents being merged. */
export function selectorPath(selector: string, profile: Profile, documents: readonly Slot[]): Path {
  const parts = segments(selector);
  if (profile.name !== "nixops") return keyedPath(parts, profile, documents);
  if (parts.length === 0) return [];
  const uuid = findDeployment(parts[0], documents);
  const rest = parts.slice(1);
  if (rest.length === 0) return [uuid];
  if (rest[0] === "resources") return [uuid, ...rest];
  if (isResourceName(uuid, rest[0], documents)) return [uuid, "resources", ...rest];
  return [uuid, ...rest];
}

export function isPrefix(prefix: Path, path: Path): boolean {
  return prefix.length <= path.length && prefix.every((k, i) => path[i] === k);
}

/** The element segment for `name` in the keyed array at `path`, if any document has that element. */
function elementNamed(name: string, path: Path, profile: Profile, documents: readonly Slot[]): string | null {
  const field = profile.policy.arrayKey?.(path);
  if (!field) return null;
  for (const doc of documents) {
    const array = valueAt(doc, path);
    if (!Array.isArray(array)) continue;
    for (const element of array) {
      const id = identityOf(element, field);
      if (id !== null && (id === name || id === JSON.stringify(name))) return elementSegment(field, id);
    }
  }
  return null;
}

/** A generic selector, its keyed-array levels named by identity: from the root, or starting at an element named alone. */
function keyedPath(parts: string[], profile: Profile, documents: readonly Slot[]): Path {
  const from = (start: Path): Path => {
    const path = [...start];
    for (const part of parts) path.push(elementNamed(part, path, profile, documents) ?? part);
    return path;
  };
  if (parts.length === 0 || documents.some((d) => isObject(d) && d.has(parts[0]))) return from([]);
  // Not a key at the root: the element of exactly one keyed array, named alone (`globex`).
  const holders = new Set<string>();
  const walk = (node: Slot, at: Path, depth: number) => {
    if (Array.isArray(node)) {
      if (elementNamed(parts[0], at, profile, documents)) holders.add(JSON.stringify(at));
    } else if (isObject(node) && depth < 64) for (const [key, v] of node) walk(v, [...at, key], depth + 1);
  };
  for (const doc of documents) walk(doc, [], 0);
  return holders.size === 1 ? from(JSON.parse([...holders][0]) as Path) : from([]);
}
