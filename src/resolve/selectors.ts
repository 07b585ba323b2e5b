// Selectors name the conflicts `resolve` settles, the way people speak of a state file:
// `prod` (a deployment, by name or UUID), `prod/app1` (a resource), `prod/app1/toplevel`
// (an attribute), `prod/app1/keys/app-env/text` (a place inside embedded JSON),
// `prod/configsPath` (a deployment attribute). In other JSON a selector is a path of keys
// (`/tenants/3/plan`, JSON-pointer escapes allowed). A selector covers every conflict at or
// below the place it names.

import { unescapeKey } from "../profiles/pathPattern";
import { isObject, type JsonObject, type Path, type Slot } from "../core/values";
import type { Profile } from "../profiles/profile";
import { tfstateSelectorPath } from "../tfstate/selectors";

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
  if (profile.name === "tfstate") {
    const found = tfstateSelectorPath(selector, documents);
    if ("error" in found) throw new SelectorError(found.error);
    return found;
  }
  const parts = segments(selector);
  if (profile.name !== "nixops") return parts;
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
