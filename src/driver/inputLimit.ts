// How much input the structured merge may take on: it holds the three texts, their parsed
// values and the rendered result at once, measured at up to about 15 bytes of heap per input
// byte. Inputs beyond the budget go to `git merge-file` (which this process never buffers),
// so a huge state can never run Node out of memory (an abort that Git before 2.42 would
// take as a conflict with plain ours and no markers).

import { getHeapStatistics } from "node:v8";

/** Heap bytes allowed per input byte (measured about 12-15; kept with a margin). */
export const HEAP_BYTES_PER_INPUT_BYTE = 20;
/**
 * Inputs up to this total never ask for the heap limit: it takes a heap under 80 MB to make
 * them too much, and loading node:v8 to ask costs a small merge a few milliseconds.
 */
export const SMALL_TOTAL_INPUT_BYTES = 4 * 1024 * 1024;
/** Never more than this in total, whatever the heap (the time stays bounded too). */
export const MAX_TOTAL_INPUT_BYTES = 3 * 256 * 1024 * 1024;

/** The total size of base + ours + theirs this process can merge structurally. */
export function structuredInputBudget(heapLimit = getHeapStatistics().heap_size_limit): number {
  return Math.min(MAX_TOTAL_INPUT_BYTES, Math.floor(heapLimit / HEAP_BYTES_PER_INPUT_BYTE));
}
