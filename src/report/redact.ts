// Turns merge values into plain JSON for people and scripts, with every secret hashed:
// by place (the profile's secret attributes) and by content (PEM blocks).

import { ABSENT, Embedded, isObject, type JsonValue, type Path } from "../core/values";
import { Occurrences, type HunkSide } from "../core/merged";
import { hashSecret, looksLikeSecretText } from "../profiles/secrets";
import type { Profile } from "../profiles/profile";
import { pythonDumps } from "../formats/pythonJson";
import { parseJson } from "../formats/parseJson";

export interface RedactOptions {
  showSecrets?: boolean;
}

/** A plain JSON value (Maps, strings, numbers...) with secrets replaced by hashes; null for absent. */
export function redactValue(value: HunkSide, path: Path, profile: Profile, options: RedactOptions = {}): JsonValue {
  if (value === ABSENT) return null;
  if (value instanceof Occurrences) {
    return new Map([["occurrences", value.values.map((v) => redactValue(v, path, profile, options))]]);
  }
  if (options.showSecrets) return plain(value);
  return redact(value, path, profile);
}

function plain(v: JsonValue): JsonValue {
  if (v instanceof Embedded) return v.text;
  if (Array.isArray(v)) return v.map(plain);
  if (isObject(v)) return new Map([...v].map(([k, x]) => [k, plain(x)]));
  return v;
}

function redact(v: JsonValue, path: Path, profile: Profile): JsonValue {
  if (profile.isSecretPath(path)) return hashSecret(typeof v === "string" ? v : v instanceof Embedded ? v.text : pythonDumps(v));
  if (typeof v === "string") {
    if (looksLikeSecretText(v)) return hashSecret(v);
    // JSON text not decoded as Embedded (a duplicated record's copies, a generic profile's
    // strings) can still hold `keys.*.text` or a password: read it the same way.
    const inner = jsonInside(v);
    if (inner === undefined) return v;
    const redacted = redact(inner, path, profile);
    return pythonDumps(redacted) === pythonDumps(inner) ? v : pythonDumps(redacted);
  }
  if (v instanceof Embedded) {
    const inner = redact(v.value, path, profile);
    return pythonDumps(inner) === pythonDumps(v.value) ? v.text : pythonDumps(inner);
  }
  if (Array.isArray(v)) return v.map((x, i) => redact(x, [...path, String(i)], profile));
  if (isObject(v)) return new Map([...v].map(([k, x]) => [k, redact(x, [...path, k], profile)]));
  return v;
}

function jsonInside(text: string): JsonValue | undefined {
  const c = text.charCodeAt(0);
  if (c !== 123 && c !== 91) return undefined; // "{" or "["
  try {
    return parseJson(text).value;
  } catch {
    return undefined;
  }
}

/** A short one-line rendering of a value for messages. */
export function shortText(value: HunkSide, path: Path, profile: Profile, options: RedactOptions = {}): string {
  if (value === ABSENT) return "(absent)";
  if (value instanceof Occurrences) return `${value.values.length} copies`;
  if (isObject(value)) return describeRecord(value);
  const shown = redactValue(value, path, profile, options);
  const text = typeof shown === "string" ? JSON.stringify(shown) : pythonDumps(shown);
  return text.length > 80 ? text.slice(0, 77) + "..." : text;
}

function describeRecord(record: Map<string, JsonValue>): string {
  const id = ["vmId", "creationTime", "type"].filter((k) => typeof record.get(k) === "string").map((k) => `${k} ${record.get(k) as string}`);
  return `a record of ${record.size} attributes` + (id.length ? ` (${id.join(", ")})` : "");
}

