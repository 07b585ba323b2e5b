// Which values of a NixOps state are secrets, found here independently of src/: by attribute
// name (private keys, tokens, passwords, passphrases, at any depth of embedded JSON), the
// `text` of every `keys` entry, a command-output resource's `value`, and any PEM block.

import { isObject, type JsonObject, type JsonValue } from "../../src/core/values";
import { parseJson } from "../../src/formats/parseJson";

const SECRET_NAME = /pass|token|secret|private.?(host)?key/i;
const PEM = /-----BEGIN [A-Z0-9 ]+-----/;

function embedded(s: string): JsonValue | undefined {
  if (!/^[[{]/.test(s)) return undefined;
  try {
    return parseJson(s).value;
  } catch {
    return undefined;
  }
}

/**
 * Every string at a place that is not secret, decided by place, not by value: a public
 * attribute may hold the same text as a secret one (and a public key shares bytes with its
 * private key), and printing it there is no leak.
 */
export function publicValues(doc: JsonObject): string[] {
  return classify(doc).publics;
}

/** Every secret string in the document, with the path it was found at. */
export function secretValues(doc: JsonObject): { path: string[]; value: string }[] {
  return classify(doc).secrets;
}

function classify(doc: JsonObject): { secrets: { path: string[]; value: string }[]; publics: string[] } {
  const secrets: { path: string[]; value: string }[] = [];
  const publics: string[] = [];
  const walk = (v: JsonValue, path: string[], secret: boolean) => {
    if (typeof v === "string") {
      const inner = embedded(v);
      if (inner !== undefined && (isObject(inner) || Array.isArray(inner))) {
        if (secret) secrets.push({ path, value: v });
        return walk(inner, path, secret);
      }
      if (secret || PEM.test(v)) secrets.push({ path, value: v });
      else publics.push(v);
      return;
    }
    if (isObject(v)) {
      for (const [k, x] of v) {
        // A name marks a value, not a record of them (a `keys` entry named "db-password" holds
        // plain `user` and `path` attributes beside its secret `text`).
        const named = SECRET_NAME.test(k) || (k === "text" && path[path.length - 2] === "keys") || (k === "value" && v.get("type") === "command-output");
        walk(x, [...path, k], secret || (named && !isObject(x)));
      }
    } else if (Array.isArray(v)) v.forEach((x, i) => walk(x, [...path, String(i)], secret));
  };
  walk(doc, [], false);
  return { secrets, publics };
}

/** The pieces of a secret that must never be printed: runs without characters JSON would escape. */
export function secretPieces(value: string): string[] {
  const pieces = new Set<string>();
  for (const run of value.split(/[\n\r\t"\\]+/)) {
    if (/^-----(BEGIN|END) /.test(run) || run.length < 6) continue;
    if (run.length <= 24) pieces.add(run);
    else for (let i = 0; i + 16 <= run.length; i += 8) pieces.add(run.slice(i, i + 16));
  }
  return [...pieces];
}

/** Secret pieces found in `output` (an empty list when nothing leaked). */
export function leaks(output: string, secrets: readonly string[], publicTexts: readonly string[] = []): string[] {
  const found = new Set<string>();
  const known = publicTexts.join("\n");
  for (const s of secrets) for (const p of secretPieces(s)) if (output.includes(p) && !known.includes(p)) found.add(p);
  return [...found];
}
