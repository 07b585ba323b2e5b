// Three NixOps exports framed (src/formats/exportFrames.ts), what they share cut out, and the
// record-by-record reading with nothing cut out (as mergeStates reads them with `noSharedCut`):
// for tests that look at what the fast path hands the merge.

import { frameExports, type ExportFrames, type FramingOptions } from "../../src/formats/exportFrames";
import { readFramedExports, type FastRead } from "../../src/formats/fastNixopsRead";
import { cutSharedEntries, SharedRun, type SharedCut } from "../../src/formats/sharedEntries";

export interface Inputs {
  base: string | Buffer;
  ours: string | Buffer;
  theirs: string | Buffer;
}

/** The frames of the three inputs (`frameSame`: also the records of deployments all three share; `runs`: as the driver frames them). */
export function framesOf(inputs: Inputs, options: FramingOptions = {}): ExportFrames | null {
  const [base, ours, theirs] = [inputs.base, inputs.ours, inputs.theirs].map((x) => Buffer.from(x));
  return frameExports(base, ours, theirs, options);
}

/** What the three inputs share, as the merge cuts it (`runs`: as the driver does); null when not framed or nothing is shared. */
export function cutOf(inputs: Inputs, runs = false): SharedCut | null {
  const frames = framesOf(inputs, { runs });
  return frames && cutSharedEntries(frames);
}

/** The runs of records (SharedRun) the driver's cut makes of the three inputs, each once. */
export function runsOf(inputs: Inputs): SharedRun[] {
  const runs = new Set<SharedRun>();
  for (const shared of cutOf(inputs, true)?.records.values() ?? []) for (const entry of shared.values()) if (entry instanceof SharedRun) runs.add(entry);
  return [...runs];
}

export function readRecordByRecord(inputs: Inputs): FastRead | null {
  const frames = framesOf(inputs, { frameSame: true });
  return frames && readFramedExports(frames, null);
}
