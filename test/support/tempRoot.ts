// Vitest's global setup: every temporary directory the tests make (os.tmpdir(), read from
// TMPDIR, in the test processes and the drivers and git they start) goes under one root for
// the run, removed when the run ends. The tests make thousands of repositories and scratch
// directories; without this each `npm test` left them all behind in the system's /tmp.

import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export default function setup(): () => void {
  const root = mkdtempSync(join(tmpdir(), "statefile-merge-tests-"));
  const before = process.env.TMPDIR;
  // Set before the workers start: they inherit it.
  process.env.TMPDIR = root;
  return () => {
    if (before === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = before;
    rmSync(root, { recursive: true, force: true, maxRetries: 3 });
  };
}
