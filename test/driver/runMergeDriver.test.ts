// Driver mode on real files: exit status, the result file, stderr lines (one per conflict and
// per auto-resolved value, secrets hashed), nothing on stdout, and the --report-json shape.

import { mkdtempSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runMergeDriver, runMergeDriverReadingAtOnce, type DriverOptions } from "../../src/driver/runMergeDriver";
import { writeLargeState } from "../support/largeState";
import { AT_ONCE_FROM_BYTES } from "../../src/io/readWhole";
import { State, fixtureText } from "../support/fixtures";
import { runsOf } from "../support/framedReading";
import { mergeTexts } from "../../src/pipeline/mergeTexts";
import { autoResolvedLine, conflictLine } from "../../src/report/mergeReport";
import { generateScenario } from "../../scripts/bench-generate.js";

interface Run {
  status: number;
  stderr: string[];
  stdout: string;
  result: string;
  report: Record<string, unknown> & { conflicts: Record<string, unknown>[]; autoResolved: Record<string, unknown>[]; fallback: string | null };
  dir: string;
}

function drive(base: string, ours: string, theirs: string, extra: Partial<DriverOptions> = {}): Run {
  const dir = mkdtempSync(join(tmpdir(), "statefile-merge-driver-"));
  const files = { base: join(dir, ".merge_file_O"), ours: join(dir, ".merge_file_A"), theirs: join(dir, ".merge_file_B") };
  writeFileSync(files.base, base);
  writeFileSync(files.ours, ours);
  writeFileSync(files.theirs, theirs);
  const stderr: string[] = [];
  let stdout = "";
  const reportJson = join(dir, "report.json");
  const status = runMergeDriver(
    { ...files, path: "state/nixops.json", markerSize: 7, baseLabel: "1a2b3c4", oursLabel: "HEAD", theirsLabel: "feature", conflictStyle: "merge", reportJson, ...extra },
    { stderr: (l) => stderr.push(l), stdout: (d) => (stdout += typeof d === "string" ? d : Buffer.from(d).toString("utf8")) },
  );
  return { status, stderr, stdout, result: readFileSync(files.ours, "utf8"), report: JSON.parse(readFileSync(reportJson, "utf8")), dir };
}

const SECRET_TEXT = "DATABASE_URL=postgres://app:hunter2@db1/app";
const PEM = "BEGIN OPENSSH PRIVATE KEY";

describe("driver mode", () => {
  const base = State.fixture("ec2-prod-5machines");
  const uuid = base.uuid("prod");

  it("clean: exit 0, ours replaced by the merge, nothing on stdout, an empty report", () => {
    const ours = base.clone().set("prod", "db1", "state", "5");
    const theirs = base.clone().set("prod", "lb1", "state", "4");
    const r = drive(base.text(), ours.text(), theirs.text());
    expect(r.status).toBe(0);
    expect(r.stdout).toBe("");
    expect(r.stderr).toEqual([]);
    expect(r.result).toBe(base.clone().set("prod", "db1", "state", "5").set("prod", "lb1", "state", "4").text());
    expect(r.report).toEqual({ conflicts: [], autoResolved: [], fallback: null, profile: "nixops" });
    // Replaced atomically: no temporary file is left beside it.
    expect(readdirSync(r.dir).sort()).toEqual([".merge_file_A", ".merge_file_B", ".merge_file_O", "report.json"]);
  });

  it("conflicts: exit 1, one stderr line per conflict and per auto-resolved value, naming deployment, resource, attribute", () => {
    const ours = base.clone().set("prod", "lb1", "toplevel", "/nix/store/ours-lb1").set("prod", null, "configsPath", "/nix/store/ours-machines");
    const theirs = base.clone().set("prod", "lb1", "toplevel", "/nix/store/theirs-lb1").set("prod", null, "configsPath", "/nix/store/theirs-machines");
    const r = drive(base.text(), ours.text(), theirs.text());
    expect(r.status).toBe(1);
    expect(r.stdout).toBe("");
    expect(r.stderr).toHaveLength(2);
    const [conflict, auto] = r.stderr;
    expect(conflict).toContain(`deployment prod (${uuid})`);
    expect(conflict).toContain("resource lb1");
    expect(conflict).toContain("attribute toplevel");
    expect(conflict).toContain("/nix/store/ours-lb1");
    expect(conflict).toContain("/nix/store/theirs-lb1");
    expect(auto).toContain("configsPath");
    expect(auto).toContain("/nix/store/ours-machines");
    expect(r.result).toContain("<<<<<<< HEAD\n");
    expect(r.result).toContain(">>>>>>> feature\n");
    expect(r.report).toEqual({
      conflicts: [{ path: [uuid, "resources", "lb1", "toplevel"], kind: "modify/modify", ours: "/nix/store/ours-lb1", theirs: "/nix/store/theirs-lb1", base: base.get("prod", "lb1", "toplevel") }],
      autoResolved: [{ path: [uuid, "configsPath"] }],
      fallback: null,
      profile: "nixops",
    });
  });

  it("a resource one side deleted while the other only rewrote a volatile value stays deleted, and the line names no value of it", () => {
    const changed = "/nix/store/rebuilt-lb1-machines";
    for (const deleter of ["ours", "theirs"] as const) {
      const deleted = base.clone().remove("prod", "lb1");
      const rewritten = base.clone().set("prod", "lb1", "configsPath", changed);
      const r = deleter === "ours" ? drive(base.text(), deleted.text(), rewritten.text()) : drive(base.text(), rewritten.text(), deleted.text());
      expect(r.status).toBe(0);
      expect(r.result).toBe(deleted.text());
      expect(r.stderr).toHaveLength(1);
      const [line] = r.stderr;
      expect(line).toMatch(/^statefile-merge: auto-resolved volatile value in deployment prod \(.*\), resource lb1, attribute configsPath: /);
      const other = deleter === "ours" ? "theirs" : "ours";
      expect(line).toContain(`: ${deleter} deleted deployment prod (${uuid}), resource lb1, and ${other} changed only volatile values in it, so it stays deleted`);
      expect(line).not.toContain(changed);
      expect(line).not.toContain(base.get("prod", "lb1", "configsPath"));
      expect(r.report.autoResolved).toEqual([{ path: [uuid, "resources", "lb1", "configsPath"] }]);
    }
  });

  it("an inner conflict's path continues into the embedded keys, and secret text is hashed on stderr and in the report", () => {
    const ours = base.clone().setInner("prod", "app1", "keys", ["app-env", "text"], "DATABASE_URL=postgres://app:ours-s3cret@db1/app\n");
    const theirs = base.clone().setInner("prod", "app1", "keys", ["app-env", "text"], "DATABASE_URL=postgres://app:theirs-s3cret@db1/app\n");
    const r = drive(base.text(), ours.text(), theirs.text());
    expect(r.status).toBe(1);
    const everything = r.stderr.join("\n") + JSON.stringify(r.report);
    for (const secret of ["ours-s3cret", "theirs-s3cret", SECRET_TEXT]) expect(everything).not.toContain(secret);
    expect(r.report.conflicts).toHaveLength(1);
    const c = r.report.conflicts[0];
    expect(c.path).toEqual([uuid, "resources", "app1", "keys", "app-env", "text"]);
    expect(c.ours).toMatch(/^<secret sha256:[0-9a-f]+>$/);
    expect(c.theirs).toMatch(/^<secret sha256:[0-9a-f]+>$/);
    expect(c.ours).not.toBe(c.theirs);
    expect(r.stderr[0]).toContain("inner path app-env/text");
    expect(r.stderr[0]).toMatch(/<secret sha256:/);
  });

  it("a whole-record conflict reports the record's path, and no private key or keys text leaks from the records", () => {
    const vbox = State.fixture("vbox-none-2machines");
    const ours = vbox.clone().set("dev", "web", "creationTime", "1697900000").set("dev", "web", "publicIpv4", "203.0.113.99");
    const theirs = vbox.clone().set("dev", "web", "state", "5");
    const r = drive(vbox.text(), ours.text(), theirs.text());
    expect(r.status).toBe(1);
    expect(r.report.conflicts.map((c) => [c.path, c.kind])).toEqual([[[vbox.uuid("dev"), "resources", "web"], "identity"]]);
    const everything = r.stderr.join("\n") + JSON.stringify(r.report);
    expect(everything).not.toContain(PEM);
    expect(everything).not.toContain("correct horse battery staple");
  });

  it("-o - prints the result instead of replacing ours", () => {
    const text = fixtureText("vbox-none-2machines");
    const ours = State.fixture("vbox-none-2machines").set("dev", "db", "state", "5").text();
    const r = drive(text, ours, text, { output: "-" });
    expect(r.status).toBe(0);
    expect(r.stdout).toBe(ours);
    expect(r.result).toBe(ours);
  });

  it("a fallback reports its reason on stderr and in the report, and still merges with git merge-file", () => {
    const text = fixtureText("vbox-none-2machines");
    const broken = text.replace('"index": "0",', '"index": "0"');
    const r = drive(text, broken, text);
    expect(r.status).toBe(0);
    expect(r.stderr).toHaveLength(1);
    expect(r.stderr[0]).toMatch(/state\/nixops\.json: ours is not valid JSON: line \d+, column \d+/);
    expect(r.stderr[0]).toContain("git merge-file");
    expect(r.result).toBe(broken);
    expect(r.report.conflicts).toEqual([]);
    expect(r.report.fallback).toMatch(/^ours is not valid JSON/);
  });
});

describe("the bin's driver run (inputs read at once)", () => {
  /** Ours and theirs each change two machines of a state over AT_ONCE_FROM_BYTES in all, one of them alike. */
  function largeInputs(dir: string): { base: string; ours: string; theirs: string } {
    const files = { base: join(dir, ".merge_file_O"), ours: join(dir, ".merge_file_A"), theirs: join(dir, ".merge_file_B") };
    const count = 2000;
    const size = writeLargeState(files.base, { count });
    writeLargeState(files.ours, { count, changes: new Map<number, Record<string, string>>([[5, { state: "5" }], [900, { toplevel: "/nix/store/ours" }]]) });
    writeLargeState(files.theirs, { count, changes: new Map<number, Record<string, string>>([[77, { state: "6" }], [900, { toplevel: "/nix/store/theirs" }]]) });
    expect(3 * size).toBeGreaterThan(AT_ONCE_FROM_BYTES);
    return files;
  }

  it("gives what runMergeDriver gives: status, result, stderr, for large and small inputs, and unreadable ones", async () => {
    const small = { base: fixtureText("ec2-prod-5machines"), ours: fixtureText("ec2-prod-after-teammate-deploy"), theirs: fixtureText("ec2-prod-5machines") };
    const setups: Array<(dir: string) => { base: string; ours: string; theirs: string }> = [
      largeInputs,
      (dir) => {
        const files = { base: join(dir, "b"), ours: join(dir, "o"), theirs: join(dir, "t") };
        for (const side of ["base", "ours", "theirs"] as const) writeFileSync(files[side], small[side]);
        return files;
      },
      (dir) => ({ base: join(dir, "missing"), ours: join(dir, "missing-too"), theirs: join(dir, "gone") }),
    ];
    for (const setup of setups) {
      const runs = [];
      for (const atOnce of [false, true]) {
        const dir = mkdtempSync(join(tmpdir(), "statefile-merge-at-once-"));
        const files = setup(dir);
        const stderr: string[] = [];
        const options: DriverOptions = { ...files, path: "state.json", conflictStyle: "diff3" };
        const io = { stderr: (l: string) => stderr.push(l), stdout: () => undefined };
        const status = atOnce ? await runMergeDriverReadingAtOnce(options, io) : runMergeDriver(options, io);
        let result: string | null = null;
        try {
          result = readFileSync(files.ours, "utf8");
        } catch {
          result = null;
        }
        runs.push({ status, result, stderr: stderr.map((l) => l.replaceAll(dir, "DIR")) });
      }
      expect(runs[1]).toEqual(runs[0]);
    }
  });
});

describe("runs of records no side changed", () => {
  it("the driver takes them, and writes, reports and exits as the merge that reads every record", () => {
    for (const seed of [1, 2]) {
      const s = generateScenario(600, seed, { deployed: 3 });
      expect(runsOf(s).length).toBeGreaterThan(0);
      const run = drive(s.base, s.ours, s.theirs);
      const markers = { size: 7, base: "1a2b3c4", ours: "HEAD", theirs: "feature", style: "merge" as const };
      const every = mergeTexts(s, { noSharedCut: true, markers });
      if (every.kind !== "merged") throw new Error(every.reason);
      expect(run.result).toBe(every.text);
      expect(run.stderr).toEqual(every.conflicts.map((c) => `statefile-merge: ${conflictLine(c, every.profile, every.documents)}`).concat(every.autoResolved.map((a) => autoResolvedLine(a, every.profile, every.documents))));
      expect(run.status).toBe(every.conflicts.length > 0 ? 1 : 0);
    }
  });
});
