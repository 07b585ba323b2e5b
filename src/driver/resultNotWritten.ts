// A result the driver could not write where Git (or -o) wants it: %A still holds plain ours,
// and exiting 1 would have Git show it as a conflict without markers. Above 128, Git 2.42+
// aborts the merge and changes nothing.

import { errnoWords } from "../io/errnoWords";

export const EXIT_ABORT_MERGE = 255;

/** Says so on stderr (`name`: the file as messages name it) and gives the exit code that stops the merge. */
export function stopMerge(stderr: (line: string) => void, name: string, target: string, e: Error): number {
  stderr(`statefile-merge: ${name}: cannot write the result to ${JSON.stringify(target)} (${errnoWords(e)}); it is unchanged and the merge is stopped`);
  return EXIT_ABORT_MERGE;
}

/** A write of the result that failed deep inside a merge, carried out to stopMerge. */
export class ResultNotWritten extends Error {
  constructor(
    readonly target: string,
    readonly failure: Error,
  ) {
    super(failure.message);
  }
}
