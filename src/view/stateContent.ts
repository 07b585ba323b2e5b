// Which files hold a kind of state by their content alone, whatever their name: the one answer
// for the files no name, attribute or policy entry declares (doctor's coverage check, verify's
// choice of files, conflicts with no FILE). The profile table decides: a row that is a kind of
// state (profileRow.ts `startsLike`) and recognizes the document.

import { lstatSync } from "node:fs";
import { readHead } from "../io/readWhole";
import type { JsonValue } from "../core/values";
import { PROFILE_TABLE } from "../profiles/table";
import type { ProfileRow } from "../profiles/profileRow";
import { JsonParseError, parseJson } from "../formats/parseJson";
import { stripBom } from "../formats/bom";

/** Enough of a file to see how it starts (a conflicted file's first lines are usually intact). */
export const HEAD_BYTES = 4096;

/** The text of a file's first bytes, as the head tests read it. */
export function headText(data: Buffer): string {
  return stripBom(data.subarray(0, HEAD_BYTES).toString("utf8"));
}

/** The kinds of state a file starting with `head` may be (a cheap test, no parse). */
export function rowsStartingLike(head: string): ProfileRow[] {
  return PROFILE_TABLE.filter((row) => row.startsLike.length > 0 && row.startsLike.every((p) => p.test(head)));
}

/** The file's first bytes start like a kind of state (false when it cannot be read): a cheap look before reading it all. */
export function fileStartsLikeState(file: string): boolean {
  try {
    // Only a regular file: a symbolic link to a FIFO or a terminal would block the read.
    return lstatSync(file).isFile() && rowsStartingLike(headText(readHead(file, HEAD_BYTES))).length > 0;
  } catch {
    return false;
  }
}

/**
 * The kind of state these bytes hold, or null for anything else (not JSON, plain JSON, and a
 * state its kind does not merge, such as an encrypted or version 3 Terraform state: routing it
 * to the driver or verifying its merges could say nothing Git's line merge does not).
 */
export function stateRowOf(data: Buffer): ProfileRow | null {
  const candidates = rowsStartingLike(headText(data));
  if (candidates.length === 0) return null;
  let doc: JsonValue;
  try {
    doc = parseJson(stripBom(data.toString("utf8"))).value;
  } catch (e) {
    if (e instanceof JsonParseError) return null;
    throw e;
  }
  return candidates.find((row) => row.recognizes(doc) && (row.mergesByRecord?.(doc) ?? true)) ?? null;
}

/** True when the profile the merge chose is a kind of state, not plain JSON. */
export function isStateRow(row: ProfileRow): boolean {
  return row.startsLike.length > 0;
}
