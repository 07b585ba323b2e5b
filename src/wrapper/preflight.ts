// What must hold before nixops may see the state file: no unresolved merge (conflict markers,
// or unmerged index entries while a merge is under way), not git-crypt ciphertext (a locked
// repository), and JSON that `nixops import` will take. Each refusal says what to do.

import { existsSync, readFileSync } from "node:fs";
import { basename, dirname, resolve } from "node:path";
import { isObject, type JsonObject } from "../core/values";
import { isGitCryptCiphertext } from "../crypt/gitCrypt";
import { stripBom } from "../formats/bom";
import { profileRow } from "../profiles/table";
import { fileViewFor } from "../view/fileView";
import { JsonParseError, parseJson } from "../formats/parseJson";
import { firstMarkerLine } from "../formats/conflictMarkers";
import { WrapperError } from "./errors";
import { askGit } from "./gitQuery";

export interface StateInput {
  /** The file as read: it is rewritten unless the export renders to exactly this. */
  fileText: string;
  /** The file without a byte-order mark: what `nixops import` gets (Python's json refuses the mark). */
  text: string;
  /** The parsed state, to compare with what nixops exports afterwards. */
  doc: JsonObject;
}

/** Paths with unmerged index entries for this file, i.e. a merge on it is in progress. */
function mergeInProgress(file: string): boolean {
  return !!askGit(dirname(resolve(file)), ["ls-files", "--unmerged", "--", basename(file)])?.trim();
}

/** The state to import, or null when there is none yet (no file, or an empty one: the first `nixops create`); `top` is its work tree (null: none). */
export function checkStateFile(file: string, top: string | null): StateInput | null {
  if (mergeInProgress(file)) {
    throw new WrapperError(`statefile-merge: ${file} has an unfinished merge (unmerged in the index); resolve it and git add it before running nixops`);
  }
  if (!existsSync(file)) return null;
  const bytes = readFileSync(file);
  if (isGitCryptCiphertext(bytes)) {
    throw new WrapperError(`statefile-merge: ${file} is git-crypt ciphertext (the repository is locked); run git-crypt unlock first`);
  }
  const fileText = bytes.toString("utf8");
  if (fileText.trim() === "") return null; // an empty file: no state yet
  const marker = firstMarkerLine(fileText);
  if (marker) {
    throw new WrapperError(`statefile-merge: ${file}:${marker.line}: holds a conflict marker; finish the merge (statefile-merge resolve, or edit it) before running nixops`);
  }
  const text = stripBom(fileText);
  try {
    const doc = parseJson(text).value;
    // Read as the merge reads it: the file view's profile must be NixOps (a policy entry may say otherwise).
    const forced = fileViewFor(top, top === null ? null : resolve(file)).overlay.profile;
    if (!isObject(doc) || !profileRow("nixops").admits(doc) || (forced !== undefined && forced !== "nixops")) {
      throw new WrapperError(`statefile-merge: ${file}: is not \`nixops export\` output (expected {uuid: {..., "resources": {...}}}); check --state`);
    }
    return { fileText, text, doc };
  } catch (e) {
    if (e instanceof JsonParseError) {
      throw new WrapperError(`statefile-merge: ${file}:${e.line}:${e.column}: not valid JSON (${e.reason}); fix it or restore it with git checkout -- ${file}`);
    }
    throw e;
  }
}
