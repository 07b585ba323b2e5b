// When the result cannot be written, ours (%A) still holds plain ours: the driver must not let
// Git take that as a merge (exit 0) or as a conflict without markers (exit 1). It exits above
// 128, which Git 2.42+ turns into an aborted merge with nothing changed.

import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { EXIT_ABORT_MERGE } from "../../src/driver/runMergeDriver";
import { BIN, State } from "../support/fixtures";

/** An immutable directory: nothing can be created or renamed in it, even by root. */
function freeze(dir: string): boolean {
  const r = spawnSync("chattr", ["+i", dir], { encoding: "utf8" });
  if (r.status === 0) return true;
  // chattr needs root and an ext2/3/4-like filesystem: say so rather than pass in silence.
  process.stderr.write(`skipping a test that needs chattr +i on ${tmpdir()}: ${(r.stderr || String(r.error ?? "not available")).trim()}\n`);
  return false;
}
const frozen: string[] = [];
afterEach(() => {
  for (const dir of frozen.splice(0)) spawnSync("chattr", ["-i", dir]);
});

describe("a result that cannot be written", () => {
  const base = State.fixture("ec2-prod-5machines");
  const cases = {
    "a structured merge": base.clone().set("prod", "db1", "toplevel", "/nix/store/theirs-db1").text(),
    "a line-merge fallback": "not json\n",
  };
  for (const [what, theirs] of Object.entries(cases)) {
    it(`stops the merge after ${what}, leaving ours untouched`, (ctx) => {
      const dir = mkdtempSync(join(tmpdir(), "statefile-merge-unwritable-"));
      const ours = base.clone().set("prod", "app1", "toplevel", "/nix/store/ours-app1").text();
      writeFileSync(join(dir, "O"), base.text());
      writeFileSync(join(dir, "A"), ours);
      writeFileSync(join(dir, "B"), theirs);
      if (!freeze(dir)) ctx.skip();
      frozen.push(dir);
      const r = spawnSync(process.execPath, [BIN, "merge", "O", "A", "B", "-p", "prod.nixops.json"], { cwd: dir, encoding: "utf8" });
      expect(r.status).toBe(EXIT_ABORT_MERGE);
      expect(r.status).toBeGreaterThan(128);
      expect(r.stderr).toMatch(/cannot write the result to "A" \(.*\); it is unchanged and the merge is stopped\n$/);
      expect(r.stderr).not.toMatch(/\n\s+at /); // no stack trace
      expect(r.stderr).not.toMatch(/internal error/);
      expect(r.stdout).toBe("");
      expect(readFileSync(join(dir, "A"), "utf8")).toBe(ours);
    });
  }

  it("-o or --report-json in a directory nothing can be written to: one usage line before any merge, exit 2", (ctx) => {
    const dir = mkdtempSync(join(tmpdir(), "statefile-merge-unwritable-"));
    const frozenDir = join(dir, "frozen");
    mkdirSync(frozenDir);
    for (const f of ["O", "A", "B"]) writeFileSync(join(dir, f), base.text());
    if (!freeze(frozenDir)) ctx.skip();
    frozen.push(frozenDir);
    for (const [flag, what] of [["-o", "output"], ["--report-json", "report file"]]) {
      const r = spawnSync(process.execPath, [BIN, "merge", "O", "A", "B", flag, "frozen/out.json"], { cwd: dir, encoding: "utf8" });
      expect(r.status).toBe(2);
      expect(r.stderr).toBe(`statefile-merge: A: the ${what} "frozen/out.json" cannot be written: its directory is not writable; give a path in a writable directory\n`);
    }
  });
});
