// A state file as people should read it in `git log -p` and `git show` (Git's textconv):
// keys sorted, embedded JSON opened up into nested objects (so a re-ordered `keys` blob
// reads the same), and every secret replaced by its short hash.

import { Embedded, isObject, type JsonValue, type Path } from "../core/values";
import { detectJsonLayout } from "../formats/jsonLayout";
import { renderDocument } from "../formats/renderDocument";
import { nixopsProfile } from "../profiles/nixops";
import { jsonProfile } from "../profiles/json";
import { hashSecret, looksLikeSecretText } from "../profiles/secrets";
import type { Profile } from "../profiles/profile";
import { pythonDumps } from "../formats/pythonJson";
import { loadState } from "./loadState";

const READABLE = { ...detectJsonLayout('{\n  "a": 1\n}\n'), sortKeys: true };
const NO_MARKERS = { size: 7, ours: "", base: "", theirs: "", style: "merge" as const };

export function readableState(text: string, options: { showSecrets?: boolean } = {}): string {
  const state = loadState(text);
  const profile = state.nixops ? nixopsProfile() : jsonProfile();
  return renderDocument(opened(state.value, [], profile, options.showSecrets === true), READABLE, NO_MARKERS);
}

function opened(v: JsonValue, path: Path, profile: Profile, showSecrets: boolean): JsonValue {
  if (!showSecrets && profile.isSecretPath(path)) {
    return hashSecret(typeof v === "string" ? v : v instanceof Embedded ? v.text : pythonDumps(v));
  }
  if (v instanceof Embedded) return opened(v.value, path, profile, showSecrets);
  if (typeof v === "string") return !showSecrets && looksLikeSecretText(v) ? hashSecret(v) : v;
  if (Array.isArray(v)) return v.map((x, i) => opened(x, [...path, String(i)], profile, showSecrets));
  if (isObject(v)) return new Map([...v].map(([k, x]) => [k, opened(x, [...path, k], profile, showSecrets)]));
  return v;
}
