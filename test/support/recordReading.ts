// The record-by-record reading of three NixOps exports with nothing cut out (what all three
// share is read too), as mergeStates reads them with `noSharedCut`: for tests that look at
// the values it hands the merge.

import { frameExports } from "../../src/formats/exportFrames";
import { readFramedExports, type FastRead } from "../../src/formats/fastNixopsRead";

export function readRecordByRecord(inputs: { base: string | Buffer; ours: string | Buffer; theirs: string | Buffer }): FastRead | null {
  const [base, ours, theirs] = [inputs.base, inputs.ours, inputs.theirs].map((x) => Buffer.from(x));
  const frames = frameExports(base, ours, theirs, true);
  return frames && readFramedExports(frames, null);
}
