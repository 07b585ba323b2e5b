// NixOps 1.x keeps the network's `nixExprs` as absolute paths of the deployer's checkout
// (`/home/bob/infra/logical.nix`), so two clones in two folders would write two different
// state files, and a teammate would need `nixops modify` before deploying. The committed file
// holds these paths relative to the repository top; the statefile nixops gets holds them
// absolute for this checkout. Paths outside the repository and `<nixpkgs/...>` lookups stay
// as they are. The attribute keeps NixOps' encoding: a JSON list made by Python's json.dumps.

import { realpathSync } from "node:fs";
import { isAbsolute, join, relative } from "node:path";
import { Embedded, isObject, type JsonObject, type JsonValue } from "../core/values";
import { parseJson } from "../formats/parseJson";
import { pythonDumps } from "../formats/pythonJson";

const ATTRIBUTE = "nixExprs";

/** The list of strings an attribute holds, or null when it is anything else. */
function pathList(value: JsonValue | undefined): string[] | null {
  const text = value instanceof Embedded ? value.text : value;
  if (typeof text !== "string") return null;
  try {
    const list = parseJson(text).value;
    return Array.isArray(list) && list.every((p) => typeof p === "string") ? (list as string[]) : null;
  } catch {
    return null;
  }
}

/** Applies `change` to every deployment's nixExprs entries; true when any entry changed. */
function rewrite(doc: JsonObject, change: (path: string) => string): boolean {
  let changed = false;
  for (const deployment of doc.values()) {
    if (!isObject(deployment)) continue;
    const paths = pathList(deployment.get(ATTRIBUTE));
    if (paths === null) continue;
    const now = paths.map(change);
    if (now.every((p, i) => p === paths[i])) continue; // untouched: its exact text stays
    deployment.set(ATTRIBUTE, pythonDumps(now));
    changed = true;
  }
  return changed;
}

/** `path` relative to `top` when it lies inside it, else null. */
function inside(top: string, path: string): string | null {
  const rel = relative(top, path);
  if (rel === "") return ".";
  return rel === ".." || rel.startsWith("../") || isAbsolute(rel) ? null : rel;
}

/** Absolute paths inside the repository become relative to its top (in place). */
export function committedNixExprs(doc: JsonObject, top: string): boolean {
  return rewrite(doc, (path) => {
    if (!isAbsolute(path)) return path;
    let real: string | null = null;
    try {
      real = realpathSync(path); // the checkout reached through a symlink
    } catch {
      // Gone or not here: only the path as written can match.
    }
    return inside(top, path) ?? (real !== null ? inside(top, real) : null) ?? path;
  });
}

/** Relative paths (as committed) become absolute in this checkout (in place). */
export function localNixExprs(doc: JsonObject, top: string): boolean {
  return rewrite(doc, (path) => (isAbsolute(path) || path.startsWith("<") || /^[a-z][a-z0-9+.-]*:/i.test(path) ? path : join(top, path)));
}
