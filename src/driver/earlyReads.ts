// A large merge's three inputs, read on libuv's thread pool from the moment the bin has Git's
// arguments: loading the driver (about 7 ms) and asking V8 for the heap budget (2-3 ms) then
// happen while the files are read, not before. Only inputs that pass the checks needing no
// heap figure are read this early; readInputs.ts checks everything again, in its own order,
// and takes these reads only for files whose sizes are still the ones read.

import { statSync } from "node:fs";
import { AT_ONCE_FROM_BYTES, readFiles } from "../io/readWhole";
import { MAX_TOTAL_INPUT_BYTES } from "./inputLimit";

export interface EarlyReads {
  /** Base, ours and theirs as stat gave them when the reads started. */
  sizes: readonly number[];
  contents: Promise<Buffer[]>;
}

/** The reads started, or undefined when these inputs are read as usual (small, odd, or never to be read). */
export function startEarlyReads(files: { base: string; ours: string; theirs: string }, maxBytesEach?: number): EarlyReads | undefined {
  const paths = [files.base, files.ours, files.theirs];
  const sizes: number[] = [];
  try {
    for (const path of paths) {
      const st = statSync(path);
      if (!st.isFile() || (maxBytesEach !== undefined && st.size > maxBytesEach)) return undefined;
      sizes.push(st.size);
    }
  } catch {
    return undefined; // the checked read says why
  }
  const total = sizes.reduce((a, b) => a + b, 0);
  if (total < AT_ONCE_FROM_BYTES || total > MAX_TOTAL_INPUT_BYTES) return undefined;
  const contents = readFiles(paths, sizes);
  // Not taken (the result cannot be written, the heap budget says no): no unhandled rejection.
  contents.catch(() => undefined);
  return { sizes, contents };
}
