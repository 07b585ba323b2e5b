// Which of the files a merge touched are state: those the attributes hand to the statefile
// driver (or its diff), those named like state, and those whose content is a NixOps export.

import type { Repo } from "../git/indexStages";
import { declaredStateFiles } from "../view/stateFiles";
import { JsonParseError, parseJson } from "../formats/parseJson";
import { stripBom } from "../formats/bom";
import { isNixopsExport } from "../formats/nixopsExport";

/** The candidates the attributes or names declare to be state. */
export function declaredAmong(repo: Repo, paths: readonly string[]): Set<string> {
  return declaredStateFiles(repo, [...paths]);
}

// `nixops export --all` starts with a deployment UUID whose value is an object.
const EXPORT_START = /^\s*\{\s*"[0-9a-fA-F-]{8,}"\s*:\s*\{/;

/** True when the content is a NixOps export (checked cheaply first: most files are not JSON at all). */
export function contentIsState(data: Buffer): boolean {
  const head = stripBom(data.subarray(0, 256).toString("utf8"));
  if (!EXPORT_START.test(head)) return false;
  try {
    return isNixopsExport(parseJson(stripBom(data.toString("utf8"))).value);
  } catch (e) {
    if (e instanceof JsonParseError) return false;
    throw e;
  }
}
