// Selectors name the conflicts `resolve` settles, the way people speak of a state file, from
// the profile's record levels. For NixOps: `prod` (a deployment, by name or UUID), `prod/app1` (a resource), `prod/app1/toplevel`
// (an attribute), `prod/app1/keys/app-env/text` (a place inside embedded JSON),
// `prod/configsPath` (a deployment attribute). In other JSON a selector is a path of keys
// (`/tenants/plan`, JSON-pointer escapes allowed), where an element of a keyed array is named
// by its identity (`tenants/globex`, or `globex` alone when one keyed array holds it). A
// selector covers every conflict at or below the place it names.

import { unescapeKey } from "../profiles/pathPattern";
import { Embedded, isObject, type JsonObject, type Path, type Slot } from "../core/values";
import { valueAt } from "../view/loadState";
import { elementSegment, identityOf } from "../core/mergeKeyedArrays";
import type { Profile } from "../profiles/profile";
import { hashSecret, isSecretHash } from "../profiles/secrets";
import type { RecordLevel } from "../profiles/profileRow";

export class SelectorError extends Error {}

function segments(selector: string): string[] {
  return selector
    .replace(/^\/+/, "")
    .split("/")
    .filter((s) => s !== "")
    .map(unescapeKey);
}

/** The records of one level under `container` in any document, by key. */
function recordsAt(container: Path, documents: readonly Slot[]): Array<[string, JsonObject]> {
  const out: Array<[string, JsonObject]> = [];
  for (const doc of documents) {
    const node = valueAt(doc, container);
    if (!isObject(node)) continue;
    for (const [key, r] of node) if (isObject(r) && !out.some(([k]) => k === key)) out.push([key, r]);
  }
  return out;
}

/** The key of the record `name` names at this level (its key, or its name attribute), or null. */
function findRecord(level: RecordLevel, name: string, container: Path, documents: readonly Slot[], required: boolean): string | null {
  const all = recordsAt(container, documents);
  if (all.some(([key]) => key === name)) return name;
  const attr = level.nameAttribute;
  const byName = attr ? [...new Set(all.filter(([, r]) => r.get(attr) === name).map(([key]) => key))] : [];
  if (byName.length === 1) return byName[0];
  if (byName.length > 1) throw new SelectorError(`several ${level.noun}s are named ${JSON.stringify(name)}; select one by its key (${byName.join(", ")})`);
  if (!required) return null;
  const known = all.map(([key, r]) => (attr && typeof r.get(attr) === "string" ? `${r.get(attr) as string} (${key})` : key));
  throw new SelectorError(`no ${level.noun} ${JSON.stringify(name)} in this file; it has ${known.join(", ") || "none"}`);
}

/**
 * The path a selector names, read against the documents being merged: segments name the
 * profile's record levels in turn (by key or name attribute; the fixed levels between them,
 * like `resources`, may be left out), then attributes; in a profile without record levels, a
 * path of keys with keyed-array elements named by identity.
 */
export function selectorPath(selector: string, profile: Profile, documents: readonly Slot[]): Path {
  return keysBehindHashes(namedPath(selector, profile, documents), profile, documents);
}

/** The path the selector's words name, a key below a secret place still as the hash it was written as. */
function namedPath(selector: string, profile: Profile, documents: readonly Slot[]): Path {
  // An empty selector (an unset shell variable) names nothing, not the whole file.
  if (selector.trim() === "") throw new SelectorError(`an empty selector names no conflict; name a place (deployment/resource/attribute), or give no selector to settle every open conflict`);
  // A kind whose people name places their own way (Terraform's plan addresses).
  if (profile.row.selectorPath) {
    const found = profile.row.selectorPath(selector, documents);
    if ("error" in found) throw new SelectorError(found.error);
    return found;
  }
  const parts = segments(selector);
  const levels = profile.row.records;
  if (levels.length === 0) return keyedPath(parts, profile, documents);
  let path: string[] = [];
  let next = 0;
  for (const level of levels) {
    if (next >= parts.length) break;
    const between = level.at.slice(path.length, level.at.length - 1);
    if (between.includes("*")) break;
    const written = between.every((s, k) => parts[next + k] === s);
    const at = written ? next + between.length : next;
    if (at >= parts.length) break;
    const key = findRecord(level, parts[at], [...path, ...between], documents, path.length === 0);
    if (key === null) break;
    path = [...path, ...between, key];
    next = at + 1;
  }
  return [...path, ...parts.slice(next)];
}

/**
 * Keys below a secret place are shown as their hashes (Profile.shownPath): a selector copied
 * from a message names such a key by its hash, which stands here for the key it hashes.
 */
function keysBehindHashes(path: Path, profile: Profile, documents: readonly Slot[]): Path {
  if (!path.some(isSecretHash)) return path;
  const out: string[] = [];
  for (const segment of path) {
    const keys = isSecretHash(segment) ? documents.flatMap((d) => segmentsAt(valueAt(d, out), out, profile)) : [];
    out.push(keys.find((k) => hashSecret(k) === segment) ?? segment);
  }
  return out;
}

/** The segments that name what a value holds: an object's keys, an array's indexes and elements' identities, inside embedded JSON too. */
function segmentsAt(node: Slot, at: Path, profile: Profile): string[] {
  const value = node instanceof Embedded ? node.value : node;
  if (isObject(value)) return [...value.keys()];
  if (!Array.isArray(value)) return [];
  const indexes = value.map((_, i) => String(i));
  const field = profile.policy.arrayKey?.(at) ?? null;
  if (field === null) return indexes;
  const identities = value.map((e) => identityOf(e, field)).filter((id): id is string => id !== null);
  return [...indexes, ...identities.map((id) => elementSegment(field, id))];
}

export function isPrefix(prefix: Path, path: Path): boolean {
  return prefix.length <= path.length && prefix.every((k, i) => path[i] === k);
}

/** The element segment for `name` in the keyed array at `path`, if any document has that element. */
function elementNamed(name: string, path: Path, profile: Profile, documents: readonly Slot[]): string | null {
  const field = profile.policy.arrayKey?.(path);
  if (!field) return null;
  // The identity as written first (`1` is the number, `"1"` the string), then a string's bare name (`globex`).
  for (const wanted of [name, JSON.stringify(name)]) {
    for (const doc of documents) {
      const array = valueAt(doc, path);
      if (!Array.isArray(array)) continue;
      for (const element of array) if (identityOf(element, field) === wanted) return elementSegment(field, wanted);
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
