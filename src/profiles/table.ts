// The profile table and its one lookup. A row is data (profileRow.ts); buildProfile turns a
// row plus a policy overlay into the questions the engine asks; chooseProfile is the single
// place that decides, from the content, which row reads a file. Adding a kind of state means
// adding a row (and its codec), not touching the commands.

import { ABSENT, isObject, type JsonObject, type Path, type Slot } from "../core/values";
import type { MergePolicy } from "../core/policy";
import { parseElementSegment } from "../core/mergeKeyedArrays";
import { NIXOPS_ROW } from "./nixops";
import { JSON_ROW } from "./json";
import { TFSTATE_ROW } from "./tfstate";
import { formatJsonPathPattern, matchesAny, matchesPattern, type PathPattern } from "./pathPattern";
import { hashSecret, isSecretHash, isSecretName } from "./secrets";
import { NO_OVERLAY, type Overlay, type ProfileName } from "./overlay";
import type { ProfileRow } from "./profileRow";
import type { Profile } from "./profile";

/** Most specific first: a file is read with the first row that recognizes it. */
export const PROFILE_TABLE: readonly ProfileRow[] = [TFSTATE_ROW, NIXOPS_ROW, JSON_ROW];

export function profileRow(name: ProfileName): ProfileRow {
  const row = PROFILE_TABLE.find((r) => r.name === name);
  if (!row) throw new Error(`no profile named ${name}`);
  return row;
}

/**
 * The row that reads these documents (ABSENT: the file does not exist on that side): the one
 * the overlay forces, else the first that admits every present document and recognizes one.
 */
export function chooseProfile(overlay: Overlay, documents: readonly Slot[]): Profile {
  if (overlay.profile) return buildProfile(profileRow(overlay.profile), overlay, documents);
  const present = documents.filter((d) => d !== ABSENT);
  const row = PROFILE_TABLE.find((r) => present.every((d) => r.admits(d as never)) && present.some((d) => r.recognizes(d as never))) ?? JSON_ROW;
  return buildProfile(row, overlay, documents);
}

/** A profile by name (tests, and codecs that know their kind). */
export function profileNamed(name: ProfileName, overlay: Overlay = NO_OVERLAY): Profile {
  return buildProfile(profileRow(name), overlay);
}

const samePattern = (a: PathPattern, b: PathPattern) => a.length === b.length && a.every((s, i) => s === b[i]);

function matchesPlace(path: Path, pattern: PathPattern): boolean {
  if (pattern[0] !== "**") return matchesPattern(path, pattern);
  const tail = pattern.slice(1);
  return path.length >= tail.length && matchesPattern(path.slice(path.length - tail.length), tail);
}

/**
 * Secret in any row of the table (a guess at the kind must never expose a value), or named by
 * the overlay. Any level counts: a conflict at `secrets/db` is as secret as `secrets` itself,
 * and a keyed record named like one (`[name="DB_PASSWORD"]`, a Terraform `random_password`)
 * is hidden whole: hiding a value that was not secret costs less than showing one that was.
 * Only a key of the reading row's own record levels with more below it is not read as a
 * name (a NixOps deployment's UUID, a machine called `compass`, above its attributes): it
 * names a machine, not a value. The last key is always read (`"password": "..."` at the top
 * of a file forced to the NixOps profile is a value, whatever the level). Returns the index of
 * the first key so named that `skip` does not pass over, or -1.
 */
function secretNameAt(path: Path, overlay: Overlay, row: ProfileRow, skip?: (depth: number) => boolean): number {
  const namesRecord = (depth: number) => depth < path.length && row.records.some((level) => level.at.length === depth && matchesPattern(path.slice(0, depth), level.at));
  const named = (key: string, i: number) =>
    !namesRecord(i + 1) && !skip?.(i + 1) && [key, displaySegment(key)].some((k) => isSecretName(k, overlay.secretNames) || PROFILE_TABLE.some((r) => r.secretNames.includes(k)));
  return path.findIndex(named);
}

/** At or below a place some row keeps secret whatever its name (NixOps' `args`). */
function secretPlace(path: Path): boolean {
  return PROFILE_TABLE.some((r) => r.secretPaths.some((p) => atOrBelow(path, p)));
}

/**
 * How many keys of the path people may see: every key below a secret place is data, not a
 * name (a map `"tokens": {"<token>": {...}}` keyed by the secret itself), so it is shown as
 * its hash, which still tells two keys apart. The secret place itself, and what leads to it,
 * is shown. `nameAt` is where the path's first secret name is (secretNameAt), read on the
 * whole path: a machine named like a secret, with attributes below, is no secret place.
 */
function shownKeyCount(path: Path, nameAt: number, secretHere: (path: Path) => boolean): number {
  const shown = nameAt >= 0 ? nameAt + 1 : path.length;
  for (let n = 1; n < shown; n++) if (secretHere(path.slice(0, n))) return n;
  return shown;
}

/** The path with the keys shownKeyCount does not show replaced by their hashes (a hash already is one). */
function withHiddenKeys(path: Path, shown: number): Path {
  return shown < path.length ? [...path.slice(0, shown), ...path.slice(shown).map((k) => (isSecretHash(k) ? k : hashSecret(k)))] : path;
}

/** The path is at a place or inside it (a `command-output` value holding JSON: its inner paths too). */
function atOrBelow(path: Path, pattern: PathPattern): boolean {
  for (let n = path.length; n >= 1; n--) if (matchesPlace(path.slice(0, n), pattern)) return true;
  return false;
}

/** The row's questions for the engine; `documents` are the files at hand (a row may read secrets they mark). */
export function buildProfile(row: ProfileRow, overlay: Overlay, documents: readonly Slot[] = []): Profile {
  const { volatile } = overlay;
  const volatilePaths = volatile.enabled ? [...row.volatile.filter((d) => !volatile.remove.some((r) => samePattern(d, r))), ...volatile.add] : [];
  const identity = row.identity;
  const keyed = [...overlay.keyedArrays, ...(row.keyedArrays ?? [])];
  const arrayKey = (path: Path) => {
    const k = keyed.find((k) => matchesPattern(path, k.pattern));
    // Every message names an element by its identity: under a level named like a secret (a
    // policy's `/*/grants` meeting `apiKeys/grants`), that would print a secret, so such an
    // array is merged as one value (the policy check refuses the plain spelling, `/apiKeys`).
    if (k === undefined || ((overlay.keyedArrays as readonly object[]).includes(k) && path.some((level) => isSecretName(level, overlay.secretNames)))) return null;
    return k.field;
  };
  const policy: MergePolicy = {
    // Values a deploy rewrites are attributes: a whole record (a NixOps deployment or machine,
    // a keyed array or one of its elements) is never one, whatever a policy adds, or ours would
    // silently win over theirs' machines or elements.
    isVolatile: (path) =>
      path.length > 0 && matchesAny(path, volatilePaths) && !isRecordPath(row, path) && arrayKey(path) === null && parseElementSegment(path[path.length - 1]) === null,
    identityAttributes(path, ours, theirs) {
      if (!identity || !matchesPattern(path, identity.at)) return null;
      const type = ours.get(identity.typeAttribute) ?? theirs.get(identity.typeAttribute);
      const own = typeof type === "string" ? [...(identity.byType[type] ?? []), ...(overlay.identity[type] ?? [])] : [];
      return [...new Set([...identity.common, ...own])];
    },
    typeAttribute: (path) => (identity && matchesPattern(path, identity.at) ? identity.typeAttribute : null),
    // Records people pick by name (`nixops -d NAME`) under this object: that name attribute.
    nameAttribute: (path) => row.records.find((l) => l.uniqueName && l.nameAttribute && l.at.length === path.length + 1 && matchesPattern(path, l.at.slice(0, -1)))?.nameAttribute ?? null,
    encodeEmbedded: row.encodeEmbedded,
    // The first rule naming this array wins, as the first matching file entry does.
    arrayKey,
    wholeRecordConflict: row.wholeRecordConflict,
  };
  // Secrets the documents mark, by every row that reads marks: a Terraform state read as
  // plain JSON (a policy's "profile": "json") still hides its sensitive values.
  const marked = PROFILE_TABLE.flatMap((r) => (r.secretsIn ? [r.secretsIn(documents)] : []));
  const secretHere = (path: Path) => secretPlace(path) || marked.some((m) => m(path));
  const isSecret = (path: Path) => secretNameAt(path, overlay, row) >= 0 || secretHere(path);
  const holdsSecrets = (path: Path) => PROFILE_TABLE.some((r) => r.secretBlobs.some((p) => matchesPlace(path, p)));
  // An entry of this row's blob of secrets (NixOps' `keys`) named like a secret starts no
  // secret place for shownPath: its name is a name (`db-password`), and what is below it the
  // blob's own fields (`text`, hidden by place). Only the reading row's blobs: under any other
  // object called `keys`, a map named `tokens` is keyed by tokens.
  const blobEntry = (path: Path) => (depth: number) => depth < path.length && row.secretBlobs.some((p) => matchesPlace(path.slice(0, depth - 1), p));
  const shownKeys = (path: Path) => shownKeyCount(path, secretNameAt(path, overlay, row, blobEntry(path)), secretHere);
  const shown = (path: Path) => withHiddenKeys(path, shownKeys(path));
  return {
    name: row.name,
    row,
    overlay,
    policy,
    isSecretPath: isSecret,
    shownPath: shown,
    hidesKeysBelow: (path) => shownKeys([...path, ""]) <= path.length,
    holdsSecrets,
    duplicateIsRecord: (path) => isRecordPath(row, path),
    describePath: (path, docs, showSecrets = false) => {
      const keys = showSecrets ? path : shown(path);
      return row.describePath ? row.describePath(keys) : describePath(row, path, keys, docs);
    },
  };
}

/** The path is a record of one of the row's levels (a NixOps deployment or resource). */
function isRecordPath(row: ProfileRow, path: Path): boolean {
  return row.records.some((level) => matchesPattern(path, level.at));
}

/** A policy's path pattern that can name whole records of the row's levels (a NixOps deployment or machine). */
export function namesRecordLevel(row: ProfileRow, pattern: PathPattern): boolean {
  return namesLevel(row.records.map((level) => level.at), pattern);
}

/** Does the pattern name whole records at one of these levels (a level's `*` or a wildcard segment)? */
export function namesLevel(levels: readonly PathPattern[], pattern: PathPattern): boolean {
  return levels.some((at) => at.length === pattern.length && pattern.every((seg, i) => at[i] === "*" || seg === at[i] || seg.includes("*")));
}

/** A keyed element's segment (`[id="globex"]`) as people name it (`globex`). */
export function displaySegment(segment: string): string {
  const element = parseElementSegment(segment);
  return element ? element.name : segment;
}

function recordName(documents: readonly Slot[], path: Path, attribute: string): string | null {
  for (const doc of documents) {
    let node: Slot = doc;
    for (const key of path) node = isObject(node) ? ((node as JsonObject).get(key) ?? ABSENT) : ABSENT;
    const name = isObject(node) ? node.get(attribute) : undefined;
    if (typeof name === "string") return name;
  }
  return null;
}

/**
 * "deployment prod (uuid), resource app1, attribute keys, inner path a/b"; a JSON Pointer for
 * rows without record levels. Keys are printed as `shown` has them (shownPath); records' names
 * are read at `path`.
 */
function describePath(row: ProfileRow, path: Path, shown: Path, documents: readonly Slot[]): string {
  if (row.records.length === 0) return path.length === 0 ? "the document root" : formatJsonPathPattern(shown.map(displaySegment));
  if (path.length === 0) return "the whole file";
  const parts: string[] = [];
  let below = 0;
  for (const level of row.records) {
    const depth = level.at.length;
    if (path.length < depth || !matchesPattern(path.slice(0, depth), level.at)) continue;
    const key = shown[depth - 1];
    const name = key === path[depth - 1] && level.nameAttribute ? recordName(documents, path.slice(0, depth), level.nameAttribute) : null;
    parts.push(name ? `${level.noun} ${name} (${key})` : `${level.noun} ${key}`);
    below = depth;
  }
  const rest = shown.slice(below);
  if (rest.length > 0) parts.push(`attribute ${rest[0]}`);
  if (rest.length > 1) parts.push(`inner path ${rest.slice(1).join("/")}`);
  return parts.join(", ");
}
