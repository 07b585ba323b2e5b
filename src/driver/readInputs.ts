// Reads the three driver inputs, or says in one line why it cannot: a missing file, a
// directory, or inputs too large to merge structurally (those are never read into memory).

import { readFileSync, statSync } from "node:fs";
import { isGitCryptCiphertext } from "../crypt/gitCrypt";
import { SMALL_TOTAL_INPUT_BYTES, structuredInputBudget } from "./inputLimit";
import { readFiles, readHead } from "../io/readWhole";
import { errnoWords } from "../io/errnoWords";

export interface DriverInputs {
  base: Buffer;
  ours: Buffer;
  theirs: Buffer;
}

export type ReadOutcome =
  | { kind: "read"; inputs: DriverInputs }
  /** Too large for a structured merge: line-merge the files where they are. */
  | { kind: "tooLarge"; reason: string }
  | { kind: "unreadable"; message: string };

const SIDES = ["base", "ours", "theirs"] as const;
const WHAT: Record<(typeof SIDES)[number], string> = { base: "base (%O)", ours: "ours (%A)", theirs: "theirs (%B)" };

type Files = { base: string; ours: string; theirs: string };

export function readDriverInputs(files: Files, maxBytesEach?: number, budget = structuredInputBudget): ReadOutcome {
  const checked = refusal(files, maxBytesEach, budget);
  if (!Array.isArray(checked)) return checked;
  try {
    return { kind: "read", inputs: { base: readFileSync(files.base), ours: readFileSync(files.ours), theirs: readFileSync(files.theirs) } };
  } catch (e) {
    return unreadable(e as Error, files);
  }
}

/** As readDriverInputs, with large files read at once off the main thread (io/readWhole.ts). */
export async function readDriverInputsAtOnce(files: Files, maxBytesEach?: number, budget = structuredInputBudget): Promise<ReadOutcome> {
  const checked = refusal(files, maxBytesEach, budget);
  if (!Array.isArray(checked)) return checked;
  try {
    const [base, ours, theirs] = await readFiles(SIDES.map((side) => files[side]), checked);
    return { kind: "read", inputs: { base, ours, theirs } };
  } catch (e) {
    return unreadable(e as Error, files);
  }
}

/** Why a read failed, naming the input by its role as the checks before do (Node names the path it could not open). */
function unreadable(e: NodeJS.ErrnoException, files: Files): ReadOutcome {
  const side = SIDES.find((s) => files[s] === e.path);
  if (side === undefined || e.code === undefined) return { kind: "unreadable", message: `cannot read an input (${e.message}); pass three readable files` };
  return { kind: "unreadable", message: `cannot read the ${WHAT[side]} file ${JSON.stringify(files[side])} (${errnoWords(e)}); pass three readable files` };
}

/** Why the inputs are not read (not three regular files, or too large), or their sizes to read them. */
function refusal(files: Files, maxBytesEach: number | undefined, budget: () => number): ReadOutcome | number[] {
  const sizes: number[] = [];
  for (const side of SIDES) {
    const file = files[side];
    try {
      const st = statSync(file);
      if (!st.isFile()) return { kind: "unreadable", message: `the ${WHAT[side]} file ${JSON.stringify(file)} is ${st.isDirectory() ? "a directory" : "not a regular file"}; pass three files` };
      sizes.push(st.size);
    } catch (e) {
      return { kind: "unreadable", message: `cannot read the ${WHAT[side]} file ${JSON.stringify(file)} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}); pass three readable files` };
    }
  }
  const total = sizes.reduce((a, b) => a + b, 0);
  let reason: string | null = null;
  const over = maxBytesEach === undefined ? -1 : sizes.findIndex((s) => s > maxBytesEach);
  if (over >= 0) reason = `${SIDES[over]} is ${sizes[over]} bytes, over the ${maxBytesEach}-byte limit`;
  else if (total > SMALL_TOTAL_INPUT_BYTES) {
    const allowed = budget();
    if (total > allowed) reason = `the three inputs total ${total} bytes, over the ${allowed}-byte budget of a structured merge`;
  }
  // git-crypt ciphertext is merged as plaintext, which the plain run checks again.
  if (reason !== null && !SIDES.some((side) => isGitCryptCiphertext(readHead(files[side], 64)))) return { kind: "tooLarge", reason };
  return sizes;
}
