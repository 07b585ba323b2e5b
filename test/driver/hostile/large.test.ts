// A 300 MB state: over the structured merge's input budget, so it goes to git merge-file,
// which writes the result straight into the temporary file; the driver itself never holds
// the inputs (its own peak memory stays far below one input's size).

import { spawnSync } from "node:child_process";
import { readFileSync, rmSync, statSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { BIN } from "../../support/fixtures";
import { STACK_TRACE, isolatedEnv, scratchDir } from "../../support/hostile";
import { writeLargeState } from "../../support/largeState";

const MIB = 1024 * 1024;
const COUNT = Number(process.env.LARGE_COUNT ?? 140_000); // about 300 MiB per input
const dir = scratchDir("statefile-merge-large-");
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("a 300 MB state", () => {
  it("falls back to git merge-file with the reason, keeps both sides' changes, and never loads it into the driver", () => {
    writeLargeState(join(dir, "base.json"), { count: COUNT });
    writeLargeState(join(dir, "ours.json"), { count: COUNT, changes: new Map([[3, { toplevel: "/nix/store/ours-deploy-300mb" }]]) });
    writeLargeState(join(dir, "theirs.json"), { count: COUNT, changes: new Map([[COUNT - 3, { state: "5" }]]) });
    const size = statSync(join(dir, "ours.json")).size;
    expect(size).toBeGreaterThan(300 * 1000 * 1000);
    const start = Date.now();
    const r = spawnSync(process.execPath, ["-r", join(__dirname, "..", "..", "support", "maxrss.cjs"), BIN, "merge", "base.json", "ours.json", "theirs.json", "-p", "state.json"], {
      cwd: dir,
      env: isolatedEnv(dir),
      encoding: "utf8",
      timeout: 300_000,
    });
    const seconds = (Date.now() - start) / 1000;
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toBe("");
    expect(r.stderr).not.toMatch(STACK_TRACE);
    expect(r.stderr).toMatch(/statefile-merge: state\.json: the three inputs total \d+ bytes, over the \d+-byte budget of a structured merge; merging it line by line with git merge-file instead/);
    const rssMiB = Number(/maxrss-kib (\d+)/.exec(r.stderr)?.[1]) / 1024;
    console.log(`[large] 3 x ${(size / MIB).toFixed(0)} MiB: git merge-file fallback in ${seconds.toFixed(1)} s; the driver's own peak memory ${rssMiB.toFixed(0)} MiB`);
    expect(rssMiB).toBeGreaterThan(0);
    expect(rssMiB).toBeLessThan(size / MIB / 2);
    const result = readFileSync(join(dir, "ours.json"));
    expect(result.length).toBe(size);
    expect(result.includes('"toplevel": "/nix/store/ours-deploy-300mb"')).toBe(true);
    const last = result.indexOf(`"m${String(COUNT - 3).padStart(7, "0")}": {`);
    expect(result.subarray(last, last + 4000).includes('"state": "5"')).toBe(true);
  }, 600_000);
});
