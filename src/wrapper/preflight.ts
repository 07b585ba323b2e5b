// What must hold before nixops may see the state file: no unresolved merge (conflict markers,
// or unmerged index entries while a merge is under way), not git-crypt ciphertext (a locked
// repository), and JSON that `nixops import` will take. Each refusal says what to do.

import { spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { basename, dirname, resolve } from "node:path";
import { isGitCryptCiphertext } from "../crypt/gitCrypt";
import { isNixopsShaped } from "../formats/nixopsExport";
import { JsonParseError, parseJson } from "../formats/parseJson";
import { WrapperError } from "./errors";

const MARKER_LINE = /^(?:<{7,}|>{7,}|\|{7,})(?: |$)|^={7,}$/m;

export interface StateInput {
  /** null when the file does not exist yet (the first `nixops create`). */
  text: string | null;
}

/** Paths with unmerged index entries for this file, i.e. a merge on it is in progress. */
function mergeInProgress(file: string): boolean {
  const r = spawnSync("git", ["ls-files", "--unmerged", "--", basename(file)], {
    cwd: dirname(resolve(file)),
    encoding: "utf8",
    stdio: ["ignore", "pipe", "ignore"],
  });
  return r.status === 0 && r.stdout.trim() !== "";
}

export function checkStateFile(file: string): StateInput {
  if (mergeInProgress(file)) {
    throw new WrapperError(`statefile-merge: ${file} has an unfinished merge (unmerged in the index); resolve it and git add it before running nixops`);
  }
  if (!existsSync(file)) return { text: null };
  const bytes = readFileSync(file);
  if (isGitCryptCiphertext(bytes)) {
    throw new WrapperError(`statefile-merge: ${file} is git-crypt ciphertext (the repository is locked); run git-crypt unlock first`);
  }
  const text = bytes.toString("utf8");
  if (text.trim() === "") return { text: null }; // an empty file: no state yet
  const marker = MARKER_LINE.exec(text);
  if (marker) {
    const line = text.slice(0, marker.index).split("\n").length;
    throw new WrapperError(`statefile-merge: ${file}:${line}: holds a conflict marker; finish the merge (statefile-merge resolve, or edit it) before running nixops`);
  }
  try {
    const parsed = parseJson(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text);
    if (!isNixopsShaped(parsed.value)) {
      throw new WrapperError(`statefile-merge: ${file}: is not \`nixops export\` output (expected {uuid: {..., "resources": {...}}}); check --state`);
    }
  } catch (e) {
    if (e instanceof JsonParseError) {
      throw new WrapperError(`statefile-merge: ${file}:${e.line}:${e.column}: not valid JSON (${e.reason}); fix it or restore it with git checkout -- ${file}`);
    }
    throw e;
  }
  return { text };
}
