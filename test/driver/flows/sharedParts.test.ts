// The cut of what base, ours and theirs share (sharedEntries.ts), through the installed driver
// run by the real `git merge`: on canonical exports the work tree gets exactly the merge
// without the cut (`noSharedCut`), and a deployment no branch changed keeps its committed
// bytes even where they are not NixOps' spelling.

import { describe, expect, it } from "vitest";
import { cutOf } from "../../support/framedReading";
import { mergeStates, mergeTexts } from "../../../src/pipeline/mergeTexts";
import type { ConflictStyle } from "../../../src/formats/renderDocument";
import { autoResolvedLine, conflictLine } from "../../../src/report/mergeReport";
import { FILE, FIXTURE, runBin, commitOnMain, diverge, installedRepoCopies } from "../../support/flowRepo";
import { State } from "../../support/fixtures";
import { addDeployment } from "../../support/deployments";
import type { TempRepo } from "../../support/gitRepo";

const freshRepo = installedRepoCopies();

// The ec2 fixture's deployment and six copies of it under their own UUIDs (NixOps sorts them
// by UUID, so the copies sit before and after prod): a team's export of seven deployments.
const TENANTS = ["0a11", "3b22", "5c33", "a4d4", "c5e5", "f6f6"].map((h, i) => ({ uuid: `${h}0000-1e4d-11ee-a0b1-6c4b9082a3f${i}`, name: `tenant-${i}` }));
function teamState(): State {
  const s = State.fixture(FIXTURE);
  for (const t of TENANTS) addDeployment(s, t.uuid, t.name, "prod");
  return s;
}

const store = (name: string) => `/nix/store/${name.padStart(32, "0").slice(-32)}-${name}`;
// Both sides deploy prod (NixOps rewrites its configsPath: auto-resolved, and a line conflict
// for Git's own merge, so a clean result shows the driver ran); each also changes its own part.
const oursDeploy = (s: State) => s.set("prod", null, "configsPath", store("ours-machines")).set("prod", "app1", "toplevel", store("ours-nixos-system-app1"));
const theirsDeploy = (s: State) => s.set("prod", null, "configsPath", store("theirs-machines")).set("tenant-4", "app2", "publicIpv4", "203.0.113.44");
const theirsRebuild = (s: State) => s.set("prod", "app1", "toplevel", store("theirs-nixos-system-app1"));
const oursTenant = (s: State) => s.set("tenant-1", null, "description", "Tenant one, moved to eu-central-1");

type Texts = { base: string; ours: string; theirs: string };

function versions(...sides: Array<Array<(s: State) => State>>): Texts {
  const [ours, theirs] = sides.map((changes) => changes.reduce((s, c) => c(s), teamState()).text());
  return { base: teamState().text(), ours, theirs };
}

/** The merge without the cut, rendered with the labels `git merge topic` passes (and %S: the merge base, abbreviated). */
function uncut(inputs: Texts, style: ConflictStyle = "merge", base = "base") {
  const r = mergeTexts(inputs, { noSharedCut: true, markers: { size: 7, ours: "HEAD", base, theirs: "topic", style } });
  if (r.kind !== "merged") throw new Error(`the merge without the cut fell back: ${r.reason}`);
  const lines = [...r.conflicts.map((c) => `statefile-merge: ${conflictLine(c, r.profile, r.documents)}`), ...r.autoResolved.map((a) => autoResolvedLine(a, r.profile, r.documents))];
  return { text: r.text, stderr: lines, conflicts: r.conflicts.length };
}

/** The three versions committed (base on main, theirs on topic, ours on main), then `git merge topic`. */
function mergeThroughGit(inputs: Texts, style: ConflictStyle = "merge") {
  const repo: TempRepo = freshRepo();
  // install writes merge.conflictStyle into the driver command (Git does not pass it to drivers).
  repo.git("config", "merge.conflictStyle", style);
  if (runBin(repo, ["install"]).status !== 0) throw new Error("install failed");
  commitOnMain(repo, inputs.base, "base: seven deployments");
  diverge(repo, inputs.ours, inputs.theirs);
  const mergeBase = repo.git("rev-parse", "--short", repo.git("merge-base", "main", "topic").trim()).trim();
  const r = repo.tryGit("merge", "topic");
  const driverLines = r.stderr.split("\n").filter((l) => l.startsWith("statefile-merge:"));
  return { repo, status: r.status, driverLines, mergeBase, text: repo.read(FILE) };
}

/** Premise: the merge does cut deployments and records here, and reads the cut files. */
function expectCut(inputs: Texts): void {
  const cut = cutOf(inputs);
  expect(cut?.deployments.size).toBeGreaterThanOrEqual(4);
  expect(cut?.records.size).toBeGreaterThan(0);
  const outcome = mergeStates(inputs);
  expect(outcome.method === "structured" && outcome.reading).toMatch(/what no side changed kept as it is$/);
}

/** The entry `"key": {...}` at two spaces, from its key line to its closing brace. */
function deploymentText(text: string, uuid: string): string {
  const start = text.indexOf(`\n  ${JSON.stringify(uuid)}: {\n`) + 1;
  if (start === 0) throw new Error(`no deployment ${uuid}`);
  return text.slice(start, text.indexOf("\n  }", start) + 4);
}

function replaceOnce(text: string, from: string, to: string): string {
  const at = text.indexOf(from);
  if (at === -1 || text.indexOf(from, at + 1) !== -1) throw new Error("the text to replace is not there exactly once");
  return text.slice(0, at) + to + text.slice(at + from.length);
}

describe("what no side changed, through git merge", () => {
  it("a usual day: prod deployed on both sides, one tenant changed; the work tree holds the merge without the cut", () => {
    const inputs = versions([oursDeploy, oursTenant], [theirsDeploy]);
    expectCut(inputs);
    const expected = uncut(inputs);
    expect(expected.conflicts).toBe(0);
    expect(expected.stderr.length).toBeGreaterThan(0);
    const m = mergeThroughGit(inputs);
    expect(m.status).toBe(0);
    expect(m.text).toBe(expected.text);
    expect(m.repo.unmerged()).toEqual([]);
    expect(m.repo.git("status", "--porcelain")).toBe("");
    expect(m.driverLines).toEqual(expected.stderr);
  });

  for (const style of ["merge", "diff3"] as const) {
    it(`one true conflict (${style}): the markers are those of the merge without the cut, the file unmerged`, () => {
      const inputs = versions([oursDeploy, oursTenant], [theirsDeploy, theirsRebuild]);
      expectCut(inputs);
      const m = mergeThroughGit(inputs, style);
      const expected = uncut(inputs, style, m.mergeBase);
      expect(expected.conflicts).toBe(1);
      expect(m.status).toBe(1);
      expect(m.text).toBe(expected.text);
      expect(m.repo.unmerged()).toEqual([FILE]);
      expect(m.repo.git("status", "--porcelain")).toBe(`UU ${FILE}\n`);
      expect(m.driverLines).toEqual(expected.stderr);
    });
  }

  it("a deployment no branch changed keeps its committed bytes, outside NixOps' spelling; the rest is in NixOps' layout", () => {
    const canonical = versions([oursDeploy, oursTenant], [theirsDeploy]);
    const untouched = TENANTS[2].uuid;
    const plain = deploymentText(canonical.base, untouched);
    // Valid JSON, the same values, not NixOps' spelling: "\/" for "/", name before description.
    const description = /\n {4}"description": [^\n]*/.exec(plain)![0];
    const name = /\n {4}"name": [^\n]*/.exec(plain)![0];
    const odd = plain.replaceAll("/", "\\/").replace(description + name, name + description);
    expect(odd).not.toBe(plain);
    expect(JSON.parse(`{${odd}}`)).toEqual(JSON.parse(`{${plain}}`));
    const inputs = { base: replaceOnce(canonical.base, plain, odd), ours: replaceOnce(canonical.ours, plain, odd), theirs: replaceOnce(canonical.theirs, plain, odd) };
    expectCut(inputs);

    const expected = replaceOnce(uncut(canonical).text, plain, odd);
    // Premise: merged without the cut, the odd deployment would be rewritten in NixOps' spelling.
    expect(uncut(inputs).text).not.toBe(expected);
    const m = mergeThroughGit(inputs);
    expect(m.status).toBe(0);
    expect(m.text).toBe(expected);
    expect(m.repo.git("status", "--porcelain")).toBe("");
  });
});
