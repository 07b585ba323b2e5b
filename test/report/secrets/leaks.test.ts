// No secret of any fixture (or of generated states) is ever printed: not by the driver on
// stderr or in --report-json, nor by conflicts, diff, log, check, resolve or Git's diff
// driver, unless --show-secrets is given (which also proves the detector below finds them).

import { spawnSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { BIN, FIXTURES } from "../../support/fixtures";
import { TempRepo } from "../../support/gitRepo";
import { nixopsTriple, renderState, tripleTexts } from "../../support/arbitraries";
import { mergeTexts } from "../../../src/pipeline/mergeTexts";
import { autoResolvedLine, conflictLine, reportJson } from "../../../src/report/mergeReport";
import { isolatedEnv, scratchDir } from "../../support/hostile";
import { leaks, publicValues, secretValues } from "../../support/secretValues";
import { scenarioPublic, scenarioSecrets, scenarios } from "../../support/secretScenarios";

const markers = { size: 7, ours: "HEAD", base: "base", theirs: "topic", style: "diff3" as const };
const NAMES = FIXTURES.map((f) => f.replace(/\.export\.json$/, ""));

describe.each(NAMES)("%s: the merge driver prints no secret", (fixture) => {
  for (const s of scenarios(fixture)) {
    it(s.name, () => {
      const dir = scratchDir("statefile-merge-secrets-");
      writeFileSync(join(dir, "b"), s.base);
      writeFileSync(join(dir, "o"), s.ours);
      writeFileSync(join(dir, "t"), s.theirs);
      const r = spawnSync(process.execPath, [BIN, "merge", "b", "o", "t", "-p", "state.json", "--report-json", "report.json", "--conflict-style", "diff3"], { cwd: dir, env: isolatedEnv(dir), encoding: "utf8" });
      expect(r.status, r.stderr).toBe(1);
      const report = readFileSync(join(dir, "report.json"), "utf8");
      const secrets = scenarioSecrets(s);
      const known = scenarioPublic(s);
      expect(secrets.length).toBeGreaterThan(0);
      expect(leaks(r.stderr, secrets, known)).toEqual([]);
      expect(leaks(report, secrets, known)).toEqual([]);
      expect(r.stdout).toBe("");
      // The conflicts are there, and secrets in them are shown as hashes.
      expect(JSON.parse(report).conflicts.length).toBeGreaterThan(0);
      if (s.name !== "deleted in ours, secrets changed in theirs") expect(report).toMatch(/<secret sha256:[0-9a-f]{12}>/);
    });
  }

  it("the detector finds them when secrets are asked for (report with showSecrets)", () => {
    const s = scenarios(fixture)[0];
    const r = mergeTexts({ base: s.base, ours: s.ours, theirs: s.theirs }, { markers });
    if (r.kind !== "merged") throw new Error(r.reason);
    const shown = reportJson({ conflicts: r.conflicts, autoResolved: r.autoResolved, fallback: null, profile: r.profile }, { showSecrets: true });
    expect(leaks(shown, scenarioSecrets(s), scenarioPublic(s)).length).toBeGreaterThan(0);
  });
});

describe.each(NAMES)("%s: conflicts, diff, log, check, resolve and git diff print no secret", (fixture) => {
  it("after a conflicted merge of two deploys that both rotated every secret", () => {
    const s = scenarios(fixture)[0];
    const secrets = scenarioSecrets(s);
    const known = scenarioPublic(s);
    const repo = TempRepo.create();
    const bin = (...args: string[]) => spawnSync(process.execPath, [BIN, ...args], { cwd: repo.dir, env: repo.env, encoding: "utf8" });
    expect(bin("install", "--pattern", "*.json").status).toBe(0);
    repo.write("state.json", s.base).commit("base");
    repo.git("checkout", "-q", "-b", "topic");
    repo.write("state.json", s.theirs).commit("theirs rotates secrets");
    repo.git("checkout", "-q", "main");
    repo.write("state.json", s.ours).commit("ours rotates secrets");
    const merge = repo.tryGit("merge", "topic");
    expect(merge.status).toBe(1);
    const outputs: Record<string, string> = { merge: merge.stdout + merge.stderr };
    for (const args of [["conflicts"], ["conflicts", "--json"], ["log"], ["log", "--json"], ["check", "state.json"], ["resolve", "state.json", "--ours"]]) {
      const r = bin(...args);
      outputs[args.join(" ")] = r.stdout + r.stderr;
    }
    const d = repo.tryGit("log", "-p", "--ext-diff", "-3", "--", "state.json");
    outputs["git log -p (diff driver)"] = d.stdout + d.stderr;
    writeFileSync(join(repo.dir, "..", "old.json"), s.base);
    writeFileSync(join(repo.dir, "..", "new.json"), s.ours);
    for (const args of [["diff", "../old.json", "../new.json"], ["diff", "--json", "../old.json", "../new.json"]]) {
      const r = bin(...args);
      outputs[args.join(" ")] = r.stdout + r.stderr;
    }
    for (const [what, out] of Object.entries(outputs)) expect(leaks(out, secrets, known), what).toEqual([]);
    // And --show-secrets shows them: the check above can see a leak.
    const shown = bin("diff", "--show-secrets", "../old.json", "../new.json");
    expect(leaks(shown.stdout, secrets, known).length).toBeGreaterThan(0);
  });
});

describe("generated NixOps states", () => {
  it("no secret reaches the conflict lines or the report, whatever the merge", () => {
    let runs = 0;
    let withConflicts = 0;
    fc.assert(
      fc.property(nixopsTriple(), (t) => {
        const texts = tripleTexts(t);
        const r = mergeTexts(texts, { markers });
        if (r.kind !== "merged") throw new Error(r.reason);
        const secrets = [t.base, t.ours, t.theirs].flatMap((d) => secretValues(d).map((x) => x.value));
        const known = [t.base, t.ours, t.theirs].flatMap((d) => publicValues(d));
        const lines = [...r.conflicts.map((c) => conflictLine(c, r.profile, r.documents)), ...r.autoResolved.map((a) => autoResolvedLine(a, r.profile, r.documents))].join("\n");
        const report = reportJson({ conflicts: r.conflicts, autoResolved: r.autoResolved, fallback: null, profile: r.profile });
        expect(leaks(lines, secrets, known)).toEqual([]);
        expect(leaks(report, secrets, known)).toEqual([]);
        runs++;
        if (r.conflicts.length > 0) withConflicts++;
      }),
      { numRuns: Number(process.env.SECRET_RUNS ?? 1000) },
    );
    console.log(`[secrets] ${runs} generated triples checked, ${withConflicts} with conflicts`);
    expect(renderState(new Map())).toBe("{}\n");
  });
});
