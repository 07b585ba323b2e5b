// The bin runs `merge` from dist/driver.bundle.js (scripts/bundle-driver.js, part of
// `npm run build`) while the bundle is as new as every dist/ module it holds. These tests check
// that the bundle gives what dist/'s modules give, that its code cache fits this Node, and that
// the bin never runs a stale bundle. No timings here: speed is measured by `npm run bench`.

import { describe, expect, it } from "vitest";
import { spawnSync } from "node:child_process";
import { appendFileSync, cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Script } from "node:vm";
import { BIN, REPO_ROOT, fixtureText } from "../support/fixtures";
import { isolatedGitEnv } from "../support/gitRepo";
import { generateScenario } from "../../scripts/bench-generate.js";

const DIST = join(REPO_ROOT, "dist");
const BUNDLE = join(DIST, "driver.bundle.js");

/** The modules the bundle says it holds: [path in dist/, size, mtimeMs]. */
function bundledSources(bundle = BUNDLE): Array<[string, number, number]> {
  const text = readFileSync(bundle, "utf8");
  expect(text.startsWith("//@sources ")).toBe(true);
  return JSON.parse(text.slice("//@sources ".length, text.indexOf("\n")));
}

interface Run {
  status: number | null;
  stderr: string;
  file: string;
  report: string;
}

/** One driver run on copies of three texts, with the given bin and environment. */
function runDriver(bin: string, dir: string, texts: { base: string; ours: string; theirs: string }, env: NodeJS.ProcessEnv = {}): Run {
  for (const side of ["base", "ours", "theirs"] as const) writeFileSync(join(dir, `${side}.json`), texts[side]);
  const report = join(dir, "report.json");
  rmSync(report, { force: true });
  const args = [bin, "merge", "base.json", "ours.json", "theirs.json", "-p", "state.json", "-l", "7", "-s", "base", "-x", "ours", "-y", "theirs", "--report-json", "report.json"];
  const r = spawnSync(process.execPath, args, {
    cwd: dir,
    encoding: "utf8",
    env: { ...isolatedGitEnv(dir), STATEFILE_MERGE_NO_BUNDLE: "", ...env },
  });
  return { status: r.status, stderr: r.stderr, file: readFileSync(join(dir, "ours.json"), "utf8"), report: readFileSync(report, "utf8") };
}

describe("the driver bundle", () => {
  it("holds dist/'s modules as they are now (the build made it last)", () => {
    const sources = bundledSources();
    expect(sources.map(([id]) => id)).toContain("driver/runMergeDriver.js");
    expect(sources.map(([id]) => id)).toContain("formats/fastNixopsRead.js");
    for (const [id, size, mtimeMs] of sources) {
      const st = statSync(join(DIST, id));
      expect([id, st.size, st.mtimeMs]).toEqual([id, size, mtimeMs]);
    }
  });

  it("has a code cache this Node accepts", () => {
    const script = new Script(readFileSync(BUNDLE, "utf8"), { filename: BUNDLE, cachedData: readFileSync(join(DIST, "driver.bundle.cache")) });
    expect(script.cachedDataRejected).toBe(false);
  });

  it("gives the same file, report, stderr and exit code as dist/'s modules", () => {
    const dir = mkdtempSync(join(tmpdir(), "sfm-bundle-"));
    try {
      writeFileSync(join(dir, "gitconfig"), "[merge]\n\tconflictStyle = zdiff3\n");
      const s = generateScenario(60, 4);
      const trios = [
        { base: s.base, ours: s.ours, theirs: s.theirs },
        { base: fixtureText("ec2-prod-5machines"), ours: fixtureText("ec2-prod-5machines"), theirs: fixtureText("ec2-prod-after-teammate-deploy") },
        { base: s.base, ours: s.ours.replace(/\n/g, "\r\n"), theirs: s.theirs },
        { base: "{}\n", ours: "not json", theirs: "{}\n" },
      ];
      for (const texts of trios) {
        const bundled = runDriver(BIN, dir, texts);
        const modules = runDriver(BIN, dir, texts, { STATEFILE_MERGE_NO_BUNDLE: "1" });
        expect(bundled).toEqual(modules);
      }
      // The comparisons compared something: conflicts in zdiff3 style, and a fallback.
      expect(runDriver(BIN, dir, trios[0]).status).toBe(1);
      expect(runDriver(BIN, dir, trios[0]).file).toContain("\n<<<<<<< ours\n");
      expect(runDriver(BIN, dir, trios[3]).stderr).toContain("git merge-file");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("is used while fresh, and never once a module it holds changed or when turned off", () => {
    const dir = mkdtempSync(join(tmpdir(), "sfm-bundle-"));
    try {
      // A copy of the package whose bundle says so on stderr when it runs.
      for (const part of ["bin", "dist", "package.json"]) cpSync(join(REPO_ROOT, part), join(dir, part), { recursive: true });
      const build = spawnSync(process.execPath, [join(REPO_ROOT, "scripts", "bundle-driver.js"), "--no-cache", "--dist", join(dir, "dist")], { encoding: "utf8" });
      expect(build.status).toBe(0);
      const bundle = join(dir, "dist", "driver.bundle.js");
      const start = "async function runMergeDriverReadingAtOnce(options, io = exports.processIo) {";
      const text = readFileSync(bundle, "utf8");
      expect(text).toContain(start);
      writeFileSync(bundle, text.replace(start, start + ' io.stderr("ran from the bundle");'));
      const work = join(dir, "work");
      mkdirSync(work);
      writeFileSync(join(work, "gitconfig"), "");
      const texts = { base: fixtureText("ec2-prod-5machines"), ours: fixtureText("ec2-prod-5machines"), theirs: fixtureText("ec2-prod-after-teammate-deploy") };
      const bin = join(dir, "bin", "statefile-merge.js");

      const fresh = runDriver(bin, work, texts);
      expect(fresh.stderr).toContain("ran from the bundle");
      const off = runDriver(bin, work, texts, { STATEFILE_MERGE_NO_BUNDLE: "1" });
      expect(off.stderr).not.toContain("ran from the bundle");
      // dist/ rebuilt without the bundle (a module newer than the bundle): dist/'s modules run.
      const module = join(dir, "dist", "formats", "renderDocument.js");
      const later = new Date(statSync(module).mtimeMs + 5000);
      utimesSync(module, later, later);
      const stale = runDriver(bin, work, texts);
      expect(stale.stderr).not.toContain("ran from the bundle");
      expect({ ...stale, stderr: "" }).toEqual({ ...off, stderr: "" });
      // A module of another size with its old time (edited, time kept): the same.
      const other = join(dir, "dist", "git", "gitConfig.js");
      const { mtime } = statSync(other);
      appendFileSync(other, "\n");
      utimesSync(other, mtime, mtime);
      utimesSync(module, new Date(0), new Date(0));
      expect(runDriver(bin, work, texts).stderr).not.toContain("ran from the bundle");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
