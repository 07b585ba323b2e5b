// The agreement checks for one scenario, as a describe block: every command on the same
// conflicted merge, through the built bin in a real repository. The driver (run by Git, and
// by hand on the index stages with --report-json), conflicts, resolve, diff, check, git diff
// and git log -p must read the file with the same profile, see the same conflicts, settle
// them to the side asked for, and never print a secret.

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createHash } from "node:crypto";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import type { GitResult } from "./gitRepo";
import { conflictedRepo, driverOnStages, removeConflictedRepo, restoreConflicted, runBin, stage, type ConflictedRepo, type DriverRun } from "./conflictedRepo";
import { under, valueAtPath, type AgreementScenario, type ExpectedConflict } from "./scenarios";
import { leaks } from "./secretValues";

export interface ReportConflict {
  path: string[];
  kind: string;
  ours: unknown;
  theirs: unknown;
  base: unknown;
}
export interface Report {
  conflicts: ReportConflict[];
  fallback: string | null;
  profile: string | null;
}
interface ListedFile {
  path: string;
  source: string;
  profile: string | null;
  conflicts: ReportConflict[];
  settled: number;
}

/** What a scenario's own extra checks get: the repository and the same runners. */
export interface AgreementContext {
  readonly c: ConflictedRepo;
  readonly report: Report;
  /** The built bin in the repository; its output joins the secrets check. */
  bin(...args: string[]): GitResult;
  git(...args: string[]): GitResult;
  /** Index stage 1, 2 or 3 as the work tree would have it, parsed. */
  side(n: 1 | 2 | 3): unknown;
  /** A scratch file outside the repository holding stage `n` as the work tree would have it. */
  stageFile(n: 1 | 2 | 3): string;
}

export const MARKER_LINE = /^(<{7}|={7}$|>{7}|\|{7})/m;
const pathKind = (c: { path: readonly string[]; kind: string }) => `${JSON.stringify(c.path)} ${c.kind}`;
export const sortedConflicts = (cs: Array<{ path: readonly string[]; kind: string }>) => cs.map(pathKind).sort();
/** The short hash the tool shows for a secret (sha256, 12 hex digits), computed here from the value. */
export const secretHash = (v: string) => `<secret sha256:${createHash("sha256").update(v).digest("hex").slice(0, 12)}>`;

/** The file with every hunk left taken as ours, so it parses. */
function parseSettled(text: string): unknown {
  const out: string[] = [];
  let inBlock = false;
  let skip = false;
  for (const line of text.split("\n")) {
    if (/^<{7}/.test(line)) inBlock = true;
    else if (inBlock && (/^\|{7}/.test(line) || line === "=".repeat(7))) skip = true;
    else if (inBlock && /^>{7}/.test(line)) inBlock = skip = false;
    else if (!skip) out.push(line);
  }
  return JSON.parse(out.join("\n")) as unknown;
}

export function describeAgreement(scenario: AgreementScenario, options: { skip?: boolean; more?: (ctx: AgreementContext) => void } = {}): void {
  describe.skipIf(options.skip === true)(`every command agrees on ${scenario.name}`, () => {
    let c: ConflictedRepo;
    let driver: DriverRun;
    let report: Report;
    /** Everything any command printed, for the secrets check at the end. */
    const printed: Array<{ what: string; text: string }> = [];
    const file = scenario.file;

    const bin = (...args: string[]) => {
      const r = runBin(c.repo, args);
      printed.push({ what: `statefile-merge ${args.join(" ")}`, text: r.stdout + r.stderr });
      return r;
    };
    const git = (...args: string[]) => {
      const r = c.repo.tryGit(...args);
      printed.push({ what: `git ${args.join(" ")}`, text: r.stdout + r.stderr });
      return r;
    };
    const side = (n: 1 | 2 | 3) => JSON.parse(stage(c, n, "plain").toString("utf8")) as unknown;
    const stageFile = (n: 1 | 2 | 3) => join(c.scratch, `stage${n}.json`);
    const workTree = () => c.repo.read(file);
    const listed = () => {
      const r = bin("conflicts", "--json");
      return { status: r.status, files: (JSON.parse(r.stdout) as { files: ListedFile[] }).files };
    };
    const ctx: AgreementContext = {
      get c() {
        return c;
      },
      get report() {
        return report;
      },
      bin,
      git,
      side,
      stageFile,
    };

    /** The work tree holds side `n`'s value (nothing where that side deleted it) at each conflict's place. */
    function expectSideAt(conflicts: ExpectedConflict[], n: 2 | 3): void {
      const expected = side(n);
      const doc = parseSettled(workTree());
      for (const x of conflicts) expect(valueAtPath(doc, x.path), `${x.where} (stage ${n})`).toEqual(valueAtPath(expected, x.path));
    }

    beforeAll(() => {
      c = conflictedRepo(scenario);
      printed.push({ what: "git merge", text: c.merge.stdout + c.merge.stderr });
      driver = driverOnStages(c);
      printed.push({ what: "the driver on the stages", text: driver.stdout + driver.stderr }, { what: "--report-json", text: driver.report });
      report = JSON.parse(driver.report) as Report;
      for (const n of [1, 2, 3] as const) writeFileSync(stageFile(n), stage(c, n, "plain"));
    });
    afterAll(() => removeConflictedRepo(c));

    it("the merge stops at exactly the conflicts the branches made, in Git and by hand alike", () => {
      expect(c.merge.status, c.merge.stderr).toBe(1);
      expect(c.repo.unmerged()).toEqual([file]);
      expect(driver.status).toBe(1);
      expect(driver.stdout).toBe("");
      expect(report.fallback).toBeNull();
      expect(sortedConflicts(report.conflicts)).toEqual(sortedConflicts(scenario.conflicts));
      // The same conflict lines whether Git ran the driver or we did.
      const lines = (text: string) => text.split("\n").filter((l) => l.startsWith("statefile-merge: CONFLICT")).sort();
      expect(lines(driver.stderr)).toHaveLength(scenario.conflicts.length);
      expect(lines(c.merge.stderr)).toEqual(lines(driver.stderr));
      expect(workTree()).toMatch(MARKER_LINE);
    });

    it("conflicts --json lists the driver's conflicts and profile, and exits 1", () => {
      const { status, files } = listed();
      expect(status).toBe(1);
      expect(files.map((f) => [f.path, f.source])).toEqual([[file, "index"]]);
      expect(report.profile).toBe(scenario.profile);
      expect(files[0].profile).toBe(report.profile);
      expect(files[0].conflicts).toEqual(report.conflicts);
    });

    it("conflicts names each place as people read it (keyed elements by identity)", () => {
      const r = bin("conflicts");
      expect(r.status).toBe(1);
      const lines = r.stdout.split("\n").filter((l) => l.includes("CONFLICT"));
      expect(lines).toHaveLength(scenario.conflicts.length);
      for (const expected of scenario.conflicts) {
        const matching = lines.filter((l) => l.startsWith(`${file}: CONFLICT (${expected.kind},`) && l.includes(` in ${expected.where}: `));
        expect(matching, expected.where).toHaveLength(1);
      }
      // The report's element syntax (`[id="globex"]`) never reaches people.
      expect(r.stdout).not.toMatch(/\[[a-zA-Z]+="/);
    });

    for (const selection of scenario.selections) {
      it(`resolve ${file} ${selection.selector} --ours, then --theirs, gives that side's values there`, () => {
        restoreConflicted(c);
        const selected = scenario.conflicts.filter((x) => under(selection.place, x.path));
        expect(selected.length).toBeGreaterThan(0);
        const others = scenario.conflicts.length - selected.length;
        for (const [flag, n] of [["--ours", 2], ["--theirs", 3]] as const) {
          const r = bin("resolve", file, selection.selector, flag);
          // Exit 1 while other conflicts remain.
          expect(r.status, r.stderr).toBe(others > 0 ? 1 : 0);
          expect(r.stderr).toContain(`settled ${selected.length} conflict(s) to ${flag.slice(2)}; ${others} remain`);
          expectSideAt(selected, n);
        }
      });
    }

    it("settling every selection leaves no markers, and check passes; conflicts lists what is left on the way", () => {
      restoreConflicted(c);
      const [first, ...rest] = scenario.selections;
      expect(bin("resolve", file, first.selector, "--ours").status).toBe(rest.length > 0 ? 1 : 0);
      const { files } = listed();
      const settled = scenario.conflicts.filter((x) => under(first.place, x.path));
      expect(sortedConflicts(files[0].conflicts)).toEqual(sortedConflicts(scenario.conflicts.filter((x) => !settled.includes(x))));
      expect(files[0].settled).toBe(settled.length);
      const statuses = rest.map((selection) => bin("resolve", file, selection.selector, "--ours").status);
      if (statuses.length > 0) expect(statuses.at(-1)).toBe(0);
      expect(workTree()).not.toMatch(MARKER_LINE);
      expectSideAt(scenario.conflicts, 2);
      const check = bin("check", file);
      expect(check.stderr).toBe("");
      expect(check.status).toBe(0);
    });

    it(`resolve ${file} --theirs settles every conflict to theirs; diff and check read the result with the driver's profile`, () => {
      restoreConflicted(c);
      const r = bin("resolve", file, "--theirs");
      expect(r.status, r.stderr).toBe(0);
      expect(workTree()).not.toMatch(MARKER_LINE);
      expectSideAt(scenario.conflicts, 3);
      const diff = bin("diff", "--json", stageFile(1), file);
      expect(diff.status).toBe(1);
      expect((JSON.parse(diff.stdout) as { kind: string }).kind).toBe(report.profile);
      expect(bin("diff", stageFile(1), file).status).toBe(1);
      const check = bin("check", file);
      expect(check.stderr).toBe("");
      expect(check.status).toBe(0);
      // check tells the profiles apart by what it looks for: a NixOps export holds only strings.
      const probe = JSON.parse(workTree()) as Record<string, Record<string, unknown>>;
      if (report.profile === "nixops") Object.values(probe)[0].agreeProbe = 1;
      else (probe as Record<string, unknown>).agreeProbe = 1;
      c.repo.write(file, JSON.stringify(probe, null, 2) + "\n");
      const probed = bin("check", file);
      if (report.profile === "nixops") {
        expect(probed.status).toBe(1);
        expect(probed.stderr).toMatch(/attribute agreeProbe is number, not a string/);
      } else {
        expect(probed.stderr).toBe("");
        expect(probed.status).toBe(0);
      }
    });

    it("git diff during the merge shows each side's conflicting values, and loses nothing both sides have", () => {
      restoreConflicted(c);
      const r = git("diff");
      expect(r.status).toBe(0);
      expect(r.stdout + r.stderr).not.toMatch(/no-textconv|no-ext-diff/);
      expect(r.stdout).toMatch(/^diff --cc /m);
      // A line both sides have that the conflicted file's view lacks shows as removed from both.
      expect(r.stdout.split("\n").filter((l) => l.startsWith("--") && !l.startsWith("--- "))).toEqual([]);
      const lines = r.stdout.split("\n");
      for (const x of scenario.conflicts) {
        for (const [value, column] of [[valueAtPath(side(2), x.path), " +"], [valueAtPath(side(3), x.path), "+ "]] as const) {
          if (typeof value !== "string" && typeof value !== "number") continue;
          const shown = JSON.stringify(typeof value === "string" && scenario.secrets.includes(value) ? secretHash(value) : value);
          const key = x.path[x.path.length - 1];
          expect(lines.some((l) => l.startsWith(column) && l.includes(`"${key}": ${shown}`)), `${x.where}: ${shown}`).toBe(true);
        }
      }
    });

    it("history through the installed diff driver (git diff) and textconv (git log -p)", () => {
      restoreConflicted(c);
      const log = git("log", "-p", "-1", "theirs", "--", file);
      expect(log.status).toBe(0);
      expect(log.stdout).toContain("their deploy");
      const ext = git("diff", "HEAD", "theirs", "--", file);
      expect(ext.status).toBe(0);
      expect(ext.stdout).toMatch(/^diff --statefile /m);
      expect(bin("textconv", file).status).toBe(0);
    });

    options.more?.(ctx);

    it("no secret named by the profile or the policy appears in any output", () => {
      expect(scenario.secrets.length).toBeGreaterThan(0);
      // The secrets are really in the versions merged, and a command asked to show them does:
      // the search below looks for something that is there.
      const stages = [1, 2, 3].map((n) => stage(c, n as 1 | 2 | 3, "plain").toString("utf8")).join("\n");
      expect(leaks(stages, scenario.secrets, scenario.publics).length).toBeGreaterThan(0);
      const shown = runBin(c.repo, ["conflicts", "--show-secrets"]);
      expect(leaks(shown.stdout, scenario.secrets, scenario.publics).length).toBeGreaterThan(0);
      expect(printed.length).toBeGreaterThan(10);
      for (const { what, text } of printed) expect(leaks(text, scenario.secrets, scenario.publics), what).toEqual([]);
    });
  });
}
