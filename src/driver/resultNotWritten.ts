// A result the driver could not write where Git (or -o) wants it: %A still holds plain ours,
// and exiting 1 would have Git show it as a conflict without markers. Above 128, Git 2.42+
// aborts the merge and changes nothing.

import { errnoWords } from "../io/errnoWords";

export const EXIT_ABORT_MERGE = 255;

/** The line that says so (after "statefile-merge: NAME: "). */
export function resultNotWritten(target: string, e: Error): string {
  return `cannot write the result to ${JSON.stringify(target)} (${errnoWords(e)}); it is unchanged and the merge is stopped`;
}
