// Turns merge values into plain JSON for people and scripts, with every secret hashed:
// by place (the profile's secret attributes) and by content (PEM blocks).

import { ABSENT, Embedded, isObject, type JsonValue, type Path } from "../core/values";
import { Occurrences, WithCopies, type HunkSide } from "../core/merged";
import { hashSecret, looksLikeSecretText } from "../profiles/secrets";
import { elementPathSegment } from "../core/mergeKeyedArrays";
import type { Profile } from "../profiles/profile";
import { pythonDumps } from "../formats/pythonJson";
import { parseJson, type ParsedJson } from "../formats/parseJson";
import { keyPathsIn, looksLikeJson } from "./brokenJsonKeys";

export interface RedactOptions {
  showSecrets?: boolean;
}

export interface DocumentRedactOptions extends RedactOptions {
  /** Embedded JSON as nested values instead of its text (readable views: textconv). */
  openEmbedded?: boolean;
}

/** A plain JSON value (Maps, strings, numbers...) with secrets replaced by hashes; null for absent. */
export function redactValue(value: HunkSide, path: Path, profile: Profile, options: RedactOptions = {}): JsonValue {
  if (value === ABSENT) return null;
  if (value instanceof Occurrences) {
    return new Map([["occurrences", value.values.map((v) => redactValue(v, path, profile, options))]]);
  }
  if (value instanceof WithCopies) {
    // The object as its input wrote it, each repeated key as {"occurrences": [...]}.
    if (!isObject(value.value)) return redactValue(value.value, path, profile, options);
    return new Map([...value.value].map(([k, x]) => [k, redactValue(value.entry(k, x), [...path, k], profile, options)]));
  }
  if (options.showSecrets) return plain(value, false);
  return redact(value, path, profile, false);
}

/** A whole document as plain JSON with every secret hashed (the same walk as every report). */
export function redactDocument(value: JsonValue, profile: Profile, options: DocumentRedactOptions = {}): JsonValue {
  const open = options.openEmbedded === true;
  return options.showSecrets ? plain(value, open) : redact(value, [], profile, open);
}

function plain(v: JsonValue, open: boolean): JsonValue {
  if (v instanceof Embedded) return open ? plain(v.value, open) : v.text;
  if (Array.isArray(v)) return v.map((x) => plain(x, open));
  if (isObject(v)) return new Map([...v].map(([k, x]) => [k, plain(x, open)]));
  return v;
}

function redact(v: JsonValue, path: Path, profile: Profile, open: boolean): JsonValue {
  if (profile.isSecretPath(path)) return hashSecret(typeof v === "string" ? v : v instanceof Embedded ? v.text : pythonDumps(v));
  if (typeof v === "string") {
    // A string straight inside a blob of secrets (a `keys` entry written as its text alone, by hand or an older NixOps).
    if (looksLikeSecretText(v) || (path.length > 0 && profile.holdsSecrets(path.slice(0, -1)))) return hashSecret(v);
    // JSON text not decoded as Embedded (a duplicated record's copies, a generic profile's
    // strings) can still hold `keys.*.text` or a password: read it the same way.
    const parsed = jsonInside(v);
    if (parsed === undefined) return brokenJsonWithSecret(v, path, profile) ? hashSecret(v) : v;
    const inner = parsed.value;
    const redacted = redact(inner, path, profile, false);
    const same = pythonDumps(redacted) === pythonDumps(inner);
    // A key written twice: the parsed value holds only its last copy, so the text can be shown
    // only when no copy can be a secret (the same test as for text that does not parse).
    if (parsed.duplicates.length > 0) return !same || brokenJsonWithSecret(v, path, profile) ? hashSecret(v) : v;
    return same ? v : pythonDumps(redacted);
  }
  if (v instanceof Embedded) {
    const inner = redact(v.value, path, profile, open);
    if (open) return inner;
    return pythonDumps(inner) === pythonDumps(v.value) ? v.text : pythonDumps(inner);
  }
  if (Array.isArray(v)) {
    const pem = pemLines(v);
    // Elements of a keyed array by their segment, as the merge names them (`[name="DB_PASSWORD"]`), so that a record named like a secret is read so.
    const field = profile.policy.arrayKey?.(path) ?? null;
    return v.map((x, i) => (pem.has(i) ? hashSecret(x as string) : redact(x, [...path, elementPathSegment(field, x, i)], profile, open)));
  }
  if (isObject(v)) return new Map([...v].map(([k, x]) => [k, redact(x, [...path, k], profile, open)]));
  return v;
}

/** A PEM block written one line per array element: the elements from its BEGIN line through its END line. */
function pemLines(items: readonly JsonValue[]): Set<number> {
  const inside = new Set<number>();
  let open = false;
  items.forEach((x, i) => {
    if (typeof x !== "string") return;
    if (looksLikeSecretText(x)) open = true;
    if (open) inside.add(i);
    if (open && x.includes("-----END ")) open = false;
  });
  return inside;
}

/**
 * JSON text that does not parse (a `keys` blob cut short by a hand edit) where secrets live,
 * or in which a key the profile calls secret is written: no part of it can be shown safely,
 * so it is hidden whole.
 */
function brokenJsonWithSecret(text: string, path: Path, profile: Profile): boolean {
  if (!looksLikeJson(text)) return false;
  if (profile.holdsSecrets(path)) return true;
  if (keyPathsIn(text).some((inner) => profile.isSecretPath([...path, ...inner]))) return true;
  // The key walk loses its place after a quote gone missing, and reads no unquoted or
  // single-quoted key: any word of the text named like a secret hides it whole too.
  return (text.match(/[\w.$-]+/g) ?? []).some((word) => profile.isSecretPath([...path, word]));
}

/** The JSON a string holds: an object, an array, or a string of JSON written again as a JSON string. */
function jsonInside(text: string): ParsedJson | undefined {
  const c = text.charCodeAt(0);
  if (c !== 123 && c !== 91 && c !== 34) return undefined; // "{", "[" or a quote
  try {
    return parseJson(text);
  } catch {
    return undefined;
  }
}

/** A short one-line rendering of a value for messages. */
export function shortText(value: HunkSide, path: Path, profile: Profile, options: RedactOptions = {}): string {
  if (value === ABSENT) return "(absent)";
  if (value instanceof Occurrences) return `${value.values.length} copies`;
  if (value instanceof WithCopies) return (isObject(value.value) ? describeRecord(value.value, path, profile, options) : "a value") + " holding a key written twice";
  if (isObject(value)) return describeRecord(value, path, profile, options);
  const shown = redactValue(value, path, profile, options);
  const text = typeof shown === "string" ? JSON.stringify(shown) : pythonDumps(shown);
  return text.length > 80 ? text.slice(0, 77) + "..." : text;
}

/** "a record of 30 attributes (vmId i-0abc, type ec2)": the fields that say which thing it is, each redacted as itself. */
function describeRecord(record: Map<string, JsonValue>, path: Path, profile: Profile, options: RedactOptions): string {
  // A Terraform instance: the remote object's id.
  const attributes = record.get("attributes");
  const fields: Array<[string, Path, JsonValue | undefined]> = [
    ...["vmId", "creationTime", "type"].map((k): [string, Path, JsonValue | undefined] => [k, [...path, k], record.get(k)]),
    ["id", [...path, "attributes", "id"], attributes instanceof Map ? attributes.get("id") : undefined],
  ];
  const id = fields.filter(([, , v]) => typeof v === "string").map(([name, at, v]) => `${name} ${redactValue(v as string, at, profile, options) as string}`);
  return `a record of ${record.size} attributes` + (id.length ? ` (${id.join(", ")})` : "");
}

