// What a forge's merge button does with a file: Git's line merge, never a custom driver.
// `git merge-file` takes no attributes and no drivers, so it is exactly that merge.

import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gitMergeFile } from "../git/mergeFile";
import { PLAIN_MARKERS } from "../resolve/remerge";

export interface LineMerge {
  text: Buffer;
  /** Conflict hunks; 0 when the forge would merge the file "cleanly". */
  conflicts: number;
}

export function lineMerge(base: Buffer | null, ours: Buffer, theirs: Buffer): LineMerge {
  const dir = mkdtempSync(join(tmpdir(), "statefile-merge-verify-"));
  try {
    const file = (name: string, data: Buffer) => {
      writeFileSync(join(dir, name), data);
      return join(dir, name);
    };
    const r = gitMergeFile(file("ours", ours), file("base", base ?? Buffer.alloc(0)), file("theirs", theirs), PLAIN_MARKERS);
    return { text: r.text, conflicts: r.conflicts };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
