// What must hold before nixops may see the state file: no unresolved merge (conflict markers,
// or unmerged index entries while a merge is under way), not git-crypt ciphertext nor a file
// git-crypt should encrypt in a locked repository, and JSON that `nixops import` will take
// without dropping anything (check's problems). Each refusal says what to do.

import { existsSync, readFileSync, statSync } from "node:fs";
import { basename, dirname, relative, resolve } from "node:path";
import { isObject, type JsonObject } from "../core/values";
import { CryptUnavailable, cryptFilter, gitCryptFilterOf, isGitCryptCiphertext } from "../crypt/gitCrypt";
import { checkState } from "../review/check/checkState";
import { stripBom } from "../formats/bom";
import { profileRow } from "../profiles/table";
import { fileViewFor, PLAIN_VIEW } from "../view/fileView";
import { JsonParseError, parseJson } from "../formats/parseJson";
import { firstMarkerLine } from "../formats/conflictMarkers";
import { WrapperError } from "./errors";
import { askGit } from "./gitQuery";
import { shellWord } from "../git/shellQuote";

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

/**
 * A file git-crypt encrypts in a locked repository (a clone never unlocked): nixops would
 * write plaintext there, and a commit would store it unencrypted. Refused, whether or not the
 * file exists yet.
 */
function refuseLockedCrypt(file: string, top: string): void {
  const path = relative(top, resolve(file));
  const filter = gitCryptFilterOf(top, path);
  if (filter === null) return;
  try {
    cryptFilter(top, path, filter);
  } catch (e) {
    if (!(e instanceof CryptUnavailable)) throw e;
    throw new WrapperError(`statefile-merge: ${file} is encrypted by git-crypt (filter=${filter}), but ${e.message}: a commit would store the state unencrypted`);
  }
}

/** The state to import, or null when there is none yet (no file, or an empty one: the first `nixops create`); `top` is its work tree (null: none). */
export function checkStateFile(file: string, top: string | null): StateInput | null {
  if (mergeInProgress(file)) {
    throw new WrapperError(`statefile-merge: ${file} has an unfinished merge (unmerged in the index); resolve it and git add it before running nixops`);
  }
  if (top !== null) refuseLockedCrypt(file, top);
  if (!existsSync(file)) return null;
  if (!statSync(file).isFile()) throw new WrapperError(`statefile-merge: ${file} is not a file; --state names the state file (nixops export output)`);
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
    // What nixops import would refuse, or take while dropping a machine (a resource written
    // twice): refused here with the line, as check says it (layout alone is no problem).
    const problem = checkState(fileText, { view: PLAIN_VIEW, declared: "name" }).problems.find((p) => !p.fixable);
    if (problem) {
      throw new WrapperError(`statefile-merge: ${file}:${problem.line}:${problem.column}: ${problem.message} (statefile-merge check ${shellWord(file)} lists every problem)`);
    }
    return { fileText, text, doc };
  } catch (e) {
    if (e instanceof JsonParseError) {
      throw new WrapperError(`statefile-merge: ${file}:${e.line}:${e.column}: not valid JSON (${e.reason}); fix it or restore it with git checkout -- ${shellWord(file)}`);
    }
    throw e;
  }
}
