// The cut of what base, ours and theirs hold byte for byte (sharedEntries.ts) must not change
// a merge of exports in NixOps' own layout: with and without it (`noSharedCut`) the text,
// conflicts, report and warnings are the same, on generated states, fixtures and damaged
// files. Where all three hold the same bytes outside NixOps' layout, the rule is "what no side
// changed is kept byte for byte, unexamined": checked against texts built from the inputs.

import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { RunInspected } from "../../src/formats/sharedEntries";
import { cutOf, framesOf, runsOf } from "../support/framedReading";
import { mergeStates, mergeTexts, withRecordRuns, type MergeSettings } from "../../src/pipeline/mergeTexts";
import type { ConflictStyle } from "../../src/formats/renderDocument";
import { FIXTURES, State, fixtureText } from "../support/fixtures";
import { nixopsTriple, tripleTexts } from "../support/arbitraries";
import { mergeSummary } from "../support/mergeSummary";
import { generateScenario } from "../../scripts/bench-generate.js";

type Texts = { base: string | Buffer; ours: string | Buffer; theirs: string | Buffer };
const SIDES = ["base", "ours", "theirs"] as const;
const STYLES: ConflictStyle[] = ["merge", "diff3", "zdiff3"];

function merge(inputs: Texts, settings: MergeSettings = {}, style: ConflictStyle = "merge") {
  return mergeTexts(inputs, { ...settings, markers: { size: 7, ours: "HEAD", base: "merged common ancestors", theirs: "feature", style } });
}

/** With the cut, and with the driver's runs of records (made again without them where a run was looked inside), as without the cut. */
function expectSameAsUncut(inputs: Texts, style: ConflictStyle = "merge"): void {
  for (const wholeParse of [false, true]) {
    const uncut = mergeSummary(merge(inputs, { wholeParse, noSharedCut: true }, style));
    expect(mergeSummary(merge(inputs, { wholeParse }, style))).toEqual(uncut);
    expect(withRecordRuns({ wholeParse }, (settings) => mergeSummary(merge(inputs, settings, style)))).toEqual(uncut);
  }
}

/** Did the merge read the cut files, rather than the whole files after giving the cut up? */
function readCut(t: Texts, settings: MergeSettings = {}): boolean {
  const outcome = mergeStates(t, settings);
  return outcome.method === "structured" && outcome.reading.endsWith("what no side changed kept as it is");
}

function mergedText(t: Texts, settings: MergeSettings = {}): string {
  const r = merge(t, settings);
  if (r.kind !== "merged") throw new Error(`expected a structured merge, got: ${r.reason}`);
  return r.text;
}

/** The bytes of the entry `key` at `indent` spaces, from its key line to its closing brace (found by plain search). */
function entryText(text: string, key: string, indent: number, from = 0): string {
  const pad = " ".repeat(indent);
  const start = text.indexOf(`\n${pad}${JSON.stringify(key)}: {\n`, from) + 1;
  if (start === 0) throw new Error(`no entry ${key}`);
  const end = text.indexOf(`\n${pad}}`, start) + indent + 2;
  return text.slice(start, end);
}

function replaceOnce(text: string, from: string, to: string): string {
  const at = text.indexOf(from);
  if (at === -1 || text.indexOf(from, at + 1) !== -1) throw new Error(`${JSON.stringify(from.slice(0, 40))} is not in the text exactly once`);
  return text.slice(0, at) + to + text.slice(at + from.length);
}

// The hetzner fixture: three deployments, in this key order.
const HETZNER = "hetzner-hcloud-multitenant";
const hetzner = State.fixture(HETZNER);
const [ACME, GLOBEX, SHARED_DB] = [...hetzner.doc.keys()];

/** Ours and theirs each change one deployment of the hetzner fixture; shared-db stays as it is. */
function hetznerEdits(): { base: string; ours: string; theirs: string } {
  const ours = hetzner.clone().set(ACME, null, "configsPath", "/nix/store/ours-machines");
  const theirs = hetzner.clone().set(GLOBEX, "globex-web", "state", "5");
  return { base: hetzner.text(), ours: ours.text(), theirs: theirs.text() };
}

describe("cutting what all three files share", () => {
  it("the fixtures are in NixOps' own layout (so that the tests below start from canonical text)", () => {
    for (const name of [HETZNER, "legacy-nixops-1.7-python2"]) expect(State.fixture(name).text()).toBe(fixtureText(name));
  });

  it("merges generated states exactly as without the cut, in every conflict style and both readings", () => {
    let cut = 0;
    let read = 0;
    let runs = 0;
    fc.assert(
      fc.property(nixopsTriple(), fc.constantFrom(...STYLES), fc.boolean(), (triple, style, bytes) => {
        const texts = tripleTexts(triple);
        const inputs = bytes ? { base: Buffer.from(texts.base), ours: Buffer.from(texts.ours), theirs: Buffer.from(texts.theirs) } : texts;
        if (cutOf(inputs) !== null) cut++;
        if (readCut(inputs)) read++;
        if (runsOf(inputs).length > 0) runs++;
        expectSameAsUncut(inputs, style);
      }),
      { numRuns: 300 },
    );
    // The comparison compares something: most triples share a deployment or a record, and are merged from the cut.
    expect(cut).toBeGreaterThan(150);
    expect(read).toBeGreaterThan(100);
    expect(runs).toBeGreaterThan(20);
  });

  it("merges the benchmark's concurrent deploys as without the cut, cutting deployments and records", () => {
    for (const seed of [1, 2]) {
      const s = generateScenario(800, seed, { deployed: 2 });
      const cut = cutOf(s);
      expect(cut?.deployments.size).toBeGreaterThan(0);
      expect(cut?.records.size).toBeGreaterThan(0);
      expect(runsOf(s).length).toBeGreaterThan(0);
      expect(readCut(s)).toBe(true);
      // Read off the same frames record by record, not from a copy without the shared parts read whole.
      const outcome = mergeStates(s);
      expect(outcome.method === "structured" && outcome.reading).toBe("record by record, what no side changed kept as it is");
      for (const style of STYLES) expectSameAsUncut(s, style);
    }
  });

  it("merges deploys inside one large deployment as without the cut, its unchanged records in runs", () => {
    for (const seed of [3, 4]) {
      const s = generateScenario(1200, seed, { deployed: 3, deployments: 1 });
      expect(cutOf(s)?.deployments.size).toBe(0);
      // A handful of runs stand for the 1,200 records: the work follows the few that changed.
      const runs = runsOf(s);
      expect(runs.length).toBeGreaterThan(0);
      expect(runs.length).toBeLessThan(20);
      expect(readCut(s, { recordRuns: true })).toBe(true);
      for (const style of STYLES) expectSameAsUncut(s, style);
    }
  });

  it("merges every fixture as base, ours and theirs in every combination as without the cut", () => {
    for (const base of FIXTURES) {
      for (const ours of FIXTURES) {
        for (const theirs of FIXTURES) expectSameAsUncut({ base: fixtureText(base), ours: fixtureText(ours), theirs: fixtureText(theirs) });
      }
    }
  });

  it("cuts Python 2 exports (', \\n' at line ends) and puts them back as without the cut", () => {
    const legacy = State.fixture("legacy-nixops-1.7-python2");
    const [local, staging] = [...legacy.doc.keys()];
    const cases = [
      // Both sides change staging: local is cut whole, and staging's kp record.
      { ours: legacy.clone().set(staging, "app", "state", "5"), theirs: legacy.clone().set(staging, null, "configsPath", "/nix/store/theirs") },
      // Each side changes one deployment: staging's app record is cut.
      { ours: legacy.clone().set(staging, "kp", "state", "5"), theirs: legacy.clone().set(local, "backend", "state", "9") },
    ];
    for (const c of cases) {
      const t = { base: legacy.text(), ours: c.ours.text(), theirs: c.theirs.text() };
      expect(cutOf(t)).not.toBeNull();
      expect(readCut(t)).toBe(true);
      expect(mergedText(t)).toContain(", \n");
      for (const style of STYLES) expectSameAsUncut(t, style);
    }
    const records = cutOf({ base: legacy.text(), ours: cases[0].ours.text(), theirs: legacy.text() });
    expect([...(records?.records.get(staging)?.keys() ?? [])]).toEqual(["kp"]);
  });
});

/** Edits that take a file out of NixOps' exact layout, or make it bad input. */
const DAMAGE: Array<(text: string) => string> = [
  (t) => t.replace(/\n/g, "\r\n"),
  (t) => "\ufeff" + t,
  (t) => t.replace(/\n$/, ""),
  (t) => t.replace(/,\n/, ", \n"),
  (t) => t.replace('"type": "', '"type": "\\/'),
  (t) => t.replace('"type": "', '"type": "caf\u00e9'),
  (t) => t.replace(/("type": "[^"]*")/, "$1,\n        $1"),
  (t) => t.replace(/(\n {8}"[^"]*": "[^"]*",)(\n {8}"[^"]*": "[^"]*",)/, "$2$1"),
  (t) => t.replace(/(\n {4}"[^"]*": "[^"]*",)(\n {4}"[^"]*": "[^"]*",)/, "$2$1"),
  (t) => t.replace("\n  }", ",\n    \"zzz\": \"1\"\n  }"),
  (t) => t.replace('"resources": {', '"resources": {\n      "dup": {},\n      "dup": {},'),
  (t) => t.replace(/"toplevel": "/, '"toplevel": "\u0000'),
  (t) => t.replace(/("state": "[^"]*"),/, "$1"),
  (t) => t.replace(/\n {4}"resources": \{/, '\n    "resources": {},\n    "resources": {'),
  (t) => t.slice(0, t.length >> 1),
  (t) => t.replace(/\n {6}"/, '\n      "zz'),
];

describe("with one file damaged or out of NixOps' layout", () => {
  it("merges as without the cut (the damaged part is not shared)", () => {
    const inputs = [hetznerEdits(), generateScenario(120, 3, { deployed: 2 })];
    for (const s of inputs) {
      for (const damage of DAMAGE) {
        for (const which of SIDES) {
          const damaged = { ...s, [which]: damage(s[which]) };
          expect(damaged[which]).not.toBe(s[which]);
          expectSameAsUncut(damaged);
        }
      }
    }
  });

  it("merges generated states with one file damaged as without the cut", () => {
    fc.assert(
      fc.property(nixopsTriple(), fc.nat(DAMAGE.length - 1), fc.constantFrom(...SIDES), (triple, d, which) => {
        const texts: Texts = tripleTexts(triple);
        texts[which] = DAMAGE[d](texts[which] as string);
        expectSameAsUncut(texts);
      }),
      { numRuns: 200 },
    );
  });

  it("gives the same reason, with the real file's line numbers, when the changed part is broken JSON", () => {
    const s = hetznerEdits();
    // A comma dropped in globex-web, which theirs changed (so that it is not shared), after acme's cut records.
    const record = entryText(s.ours, "globex-web", 6);
    const ours = replaceOnce(s.ours, record, record.replace(/("state": "[^"]*"),/, "$1"));
    const broken = { ...s, ours };
    // The parser stops at the key on the line after the one missing its comma.
    const line = ours.slice(0, s.ours.indexOf(record) + record.indexOf('"state": ')).split("\n").length + 1;
    expect(cutOf(broken)?.deployments.has(SHARED_DB)).toBe(true);
    expect(cutOf(broken)?.records.get(ACME)?.size).toBe(4);
    for (const wholeParse of [false, true]) {
      const r = merge(broken, { wholeParse });
      expect(r).toEqual(merge(broken, { wholeParse, noSharedCut: true }));
      expect(r.kind === "fallback" && r.reason).toMatch(new RegExp(`^ours is not valid JSON: line ${line},`));
    }
  });
});

describe("what no side changed is kept byte for byte, unexamined", () => {
  /** shared-db's text with its attributes out of order, a `\/` escape and a raw "é": valid JSON, not NixOps' layout. */
  function unusualSharedDb(text: string): string {
    const entry = entryText(text, SHARED_DB, 2);
    const unusual = entry
      .replace(/(\n {4}"configsPath": "[^"]*",)(\n {4}"description": "[^"]*",)/, "$2$1")
      .replace('"/nix/store/', '"\\/nix\\/store/')
      .replace('"Shared dedicated database server"', '"Shared dedicated database server (Zürich)"');
    expect(unusual).not.toBe(entry);
    return replaceOnce(text, entry, unusual);
  }

  it("keeps a deployment no side changed as its bytes, and writes the changed ones in NixOps' layout", () => {
    const s = hetznerEdits();
    const unusual = { base: unusualSharedDb(s.base), ours: unusualSharedDb(s.ours), theirs: unusualSharedDb(s.theirs) };
    // Expected: the merge of the canonical inputs, with shared-db's canonical text replaced by its unusual bytes.
    const canonical = mergedText(s, { noSharedCut: true });
    const expected = unusualSharedDb(canonical);
    expect(canonical).toContain('"configsPath": "/nix/store/ours-machines"');
    for (const wholeParse of [false, true]) expect(mergedText(unusual, { wholeParse })).toBe(expected);
    // Without the cut the unusual deployment is rewritten: the two rules differ here, so the check above can fail.
    expect(mergedText(unusual, { noSharedCut: true })).toBe(canonical.replace("Shared dedicated database server", "Shared dedicated database server (Z\\u00fcrich)"));
  });

  it("keeps a record no side changed as its bytes inside a deployment both sides changed", () => {
    const base = hetzner.text();
    const ours = hetzner.clone().set(ACME, null, "configsPath", "/nix/store/ours-machines").text();
    const theirs = hetzner.clone().set(ACME, "acme-data", "state", "5").text();
    const unusual = (text: string) => {
      const record = entryText(text, "acme-worker", 6);
      const changed = record.replace('"hcloud.filesystems": "{}",', '"hcloud.filesystems"  :  "{}" ,').replace('"/nix/store/', '"\\/nix/store/');
      expect(changed).not.toBe(record);
      return replaceOnce(text, record, changed);
    };
    const inputs = { base: unusual(base), ours: unusual(ours), theirs: unusual(theirs) };
    expect([...(cutOf(inputs)?.records.get(ACME)?.keys() ?? [])]).toContain("acme-worker");
    const expected = unusual(mergedText({ base, ours, theirs }, { noSharedCut: true }));
    expect(expected).toContain('"state": "5"');
    for (const wholeParse of [false, true]) expect(mergedText(inputs, { wholeParse })).toBe(expected);
  });

  it("never parses a shared deployment or record nothing looks inside (text that is not JSON there is written unchanged)", () => {
    const s = hetznerEdits();
    const breakRecord = (text: string, uuid: string, name: string) => {
      const record = entryText(text, name, 6, text.indexOf(`"${uuid}": {`));
      return replaceOnce(text, record, record.replace('"state": "3",', '"state": 3 3,,'));
    };
    // shared-db (a shared deployment) and acme-web (a shared record in a changed deployment) hold no JSON.
    const broken = (t: string) => breakRecord(breakRecord(t, SHARED_DB, "db-robot"), ACME, "acme-web");
    const inputs = { base: broken(s.base), ours: broken(s.ours), theirs: broken(s.theirs) };
    const without = merge(inputs, { noSharedCut: true });
    expect(without.kind === "fallback" && without.reason).toMatch(/^base is not valid JSON/);
    for (const style of STYLES) {
      for (const wholeParse of [false, true]) {
        const r = merge(inputs, { wholeParse }, style);
        expect(r.kind === "merged" && r.text).toBe(broken(mergedText(s, { noSharedCut: true })));
        expect(r.kind === "merged" && r.conflicts).toEqual([]);
      }
    }
  });
});

/** Spellings of a record's text that JSON reads as the same value but NixOps would not write. */
const RESPELLINGS: Array<(record: string) => string> = [
  // The first two attribute lines swapped (both end in a comma: the record has more).
  (r) => r.replace(/(\n {8}"[^"\n]*": "[^"\n]*",)(\n {8}"[^"\n]*": "[^"\n]*",)/, "$2$1"),
  (r) => r.replace(/\//g, "\\/"),
  (r) => r.replace(/": "/g, '"  :  "'),
  (r) => r.replace(/"type": "([a-z])/, (_m, c: string) => `"type": "\\u00${c.charCodeAt(0).toString(16)}`),
];

describe("the rule as a property: a record no side changed, however spelled, comes back as written", () => {
  it("keeps any valid respelling of a record all three hold, and merges the rest as without the cut", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 1000 }), fc.nat(), fc.subarray([0, 1, 2, 3], { minLength: 1 }), (seed, pick, ways) => {
        const s = generateScenario(150, seed, { deployed: 2 });
        // Records whose text all three files hold alike (a deployment no side changed, or not).
        const doc = JSON.parse(s.base) as Record<string, { resources: Record<string, unknown> }>;
        const alike: Array<[string, string]> = [];
        for (const [uuid, d] of Object.entries(doc)) {
          for (const name of Object.keys(d.resources)) {
            const texts = SIDES.map((side) => recordText(s[side], uuid, name));
            if (texts[0] !== null && texts.every((t) => t === texts[0])) alike.push([uuid, name]);
          }
        }
        expect(alike.length).toBeGreaterThan(0);
        const [uuid, name] = alike[pick % alike.length];
        const respell = (text: string) => {
          const record = entryText(text, name, 6, text.indexOf(`"${uuid}": {`));
          const changed = ways.reduce((r, w) => RESPELLINGS[w](r), record);
          return text.replace(record, () => changed);
        };
        const respelled = { base: respell(s.base), ours: respell(s.ours), theirs: respell(s.theirs) };
        // Still the same value: only the spelling changed.
        expect(JSON.parse(respelled.ours)).toEqual(JSON.parse(s.ours));
        const expected = merge(s, { noSharedCut: true });
        for (const wholeParse of [false, true]) {
          const got = merge(respelled, { wholeParse });
          if (expected.kind !== "merged" || got.kind !== "merged") throw new Error("expected structured merges");
          expect(got.text).toBe(respell(expected.text));
          expect(got.conflicts.length).toBe(expected.conflicts.length);
        }
      }),
      { numRuns: 40 },
    );
  });
});

/** The text of record `name` in deployment `uuid`, or null when that deployment has no such record. */
function recordText(text: string, uuid: string, name: string): string | null {
  const from = text.indexOf(`\n  "${uuid}": {\n`);
  const at = from === -1 ? -1 : text.indexOf(`\n      ${JSON.stringify(name)}: {\n`, from);
  if (at === -1 || at > text.indexOf("\n  }", from)) return null;
  return entryText(text, name, 6, from);
}

describe("names and order of what was cut", () => {
  it("reads a shared deployment's name for the unique-name rule as without the cut, and lists the clash in file order", () => {
    const nameOf = (uuid: string) => hetzner.get(uuid, null, "name") as string;
    // Ours renames a changed deployment to the name of a shared one (before it, then after it in key order).
    for (const [renamed, shared, changedByTheirs] of [
      [GLOBEX, SHARED_DB, ACME],
      [SHARED_DB, ACME, GLOBEX],
    ]) {
      const inputs = { base: hetzner.text(), ours: hetzner.clone().set(renamed, null, "name", nameOf(shared)).text(), theirs: hetzner.clone().set(changedByTheirs, null, "description", "x").text() };
      expect([...(cutOf(inputs)?.deployments.keys() ?? [])]).toEqual([shared]);
      expect(readCut(inputs)).toBe(true);
      expectSameAsUncut(inputs);
      // The clash is ours' own (ours holds both names): a warning naming both, in the file's order.
      const r = merge(inputs);
      const messages = r.kind === "merged" ? r.warnings.map((w) => w.message) : [];
      expect(messages).toHaveLength(1);
      const [first, second] = [renamed, shared].sort();
      expect(messages[0]).toContain(JSON.stringify(nameOf(shared)));
      expect(messages[0].indexOf(first)).toBeGreaterThan(-1);
      expect(messages[0].indexOf(first)).toBeLessThan(messages[0].indexOf(second));
    }
  });

  // shared-db named "café-db" on a line not spelled `"name": "` (valid JSON, not NixOps' layout), in all three files.
  const oddName = (t: string) => replaceOnce(t, '"name": "shared-db"', '"name":"café-db"');
  const oddNameInputs = () => ({ base: oddName(hetzner.text()), ours: oddName(hetzner.clone().set(GLOBEX, null, "name", "café-db").text()), theirs: oddName(hetzner.clone().set(ACME, null, "description", "x").text()) });
  const warningsOf = (t: Texts, settings: MergeSettings) => {
    const r = merge(t, settings);
    return r.kind === "merged" ? r.warnings.map((w) => w.message) : r.reason;
  };

  it("warns of the clash with the unusually spelled name when reading the whole files (what the cut must match)", () => {
    expect(warningsOf(oddNameInputs(), { noSharedCut: true })).toEqual([`${GLOBEX} and ${SHARED_DB} are all named "café-db" in ours already; rename all but one`]);
  });

  it("reads a shared deployment's unusually spelled, non-ASCII name as without the cut", () => {
    const inputs = oddNameInputs();
    expect(warningsOf(inputs, {})).toEqual(warningsOf(inputs, { noSharedCut: true }));
  });

  it("does not throw when a shared deployment with no `\"name\": \"` line holds text that is not JSON", () => {
    const broken = (t: string) => {
      const record = entryText(t, "db-robot", 6);
      return replaceOnce(replaceOnce(t, record, record.replace('"state": "3",', '"state": 3 3,')), '"name": "shared-db"', '"name":"shared-db"');
    };
    const inputs = { base: broken(hetzner.text()), ours: broken(hetzner.clone().set(GLOBEX, null, "description", "o").text()), theirs: broken(hetzner.clone().set(ACME, null, "description", "x").text()) };
    const without = merge(inputs, { noSharedCut: true });
    expect(without.kind === "fallback" && without.reason).toMatch(/^base is not valid JSON: line \d+/);
    const r = merge(inputs);
    if (r.kind === "fallback") expect(r.reason).toBe(without.kind === "fallback" && without.reason);
  });

  it("keeps a shared deployment with no name line and text that is not JSON as it is, without reading it", () => {
    const broken = (t: string) => {
      const record = entryText(t, "db-robot", 6);
      return replaceOnce(replaceOnce(t, record, record.replace('"state": "3",', '"state": 3 3,')), '"name": "shared-db",', "");
    };
    const base = broken(hetzner.text());
    const inputs = { base, ours: broken(hetzner.clone().set(GLOBEX, null, "description", "o").text()), theirs: broken(hetzner.clone().set(ACME, null, "description", "x").text()) };
    const r = merge(inputs);
    if (r.kind !== "merged") throw new Error(`expected a structured merge, got: ${r.reason}`);
    // The broken deployment is in the result exactly as all three files hold it.
    const shared = entryText(base, SHARED_DB, 2);
    expect(r.text).toContain(shared);
    expect(r.conflicts).toEqual([]);
  });

  it("puts each side's deployments back in its own key order, when the sides hold different deployments", () => {
    // Ours deletes globex, theirs adds a deployment between acme and globex; acme and shared-db are cut.
    const ours = hetzner.clone();
    ours.doc.delete(GLOBEX);
    const added = hetzner.clone().deployment(GLOBEX).set("name", "tenant-new");
    const NEW = "3b1f0000-2b7c-11ee-9a5e-9c2dcd0b1f11";
    const theirsDoc = [...hetzner.clone().doc];
    theirsDoc.splice(1, 0, [NEW, added]);
    const inputs = { base: hetzner.text(), ours: ours.text(), theirs: new State(new Map(theirsDoc)).text() };
    const cut = cutOf(inputs);
    expect(framesOf(inputs)?.sides.map((side) => side.deployments.entries.map((e) => e.key))).toEqual([
      [ACME, GLOBEX, SHARED_DB],
      [ACME, SHARED_DB],
      [ACME, NEW, GLOBEX, SHARED_DB],
    ]);
    expect([...(cut?.deployments.keys() ?? [])]).toEqual([ACME, SHARED_DB]);
    expect(readCut(inputs)).toBe(true);
    for (const style of STYLES) expectSameAsUncut(inputs, style);
    const text = mergedText(inputs);
    expect(text.indexOf(`"${ACME}"`)).toBeLessThan(text.indexOf(`"${NEW}"`));
    expect(text.indexOf(`"${NEW}"`)).toBeLessThan(text.indexOf(`"${SHARED_DB}"`));
  });
});

describe("the frame the cut takes (anything else is read whole)", () => {
  const s = hetznerEdits();
  const refusals: Array<[string, (t: string) => string]> = [
    ["top-level keys out of order", (t) => replaceOnce(t, entryText(t, ACME, 2) + ",\n" + entryText(t, GLOBEX, 2), entryText(t, GLOBEX, 2) + ",\n" + entryText(t, ACME, 2))],
    ["a top-level key twice", (t) => replaceOnce(t, entryText(t, ACME, 2), entryText(t, ACME, 2) + ",\n" + entryText(t, ACME, 2))],
    ["CRLF line ends", (t) => t.replace(/\n/g, "\r\n")],
    ["a BOM", (t) => "\ufeff" + t],
    ["no final newline", (t) => t.slice(0, -1)],
    ["a top-level value that is not an object", (t) => t.replace(/\n}\n$/, ',\n  "zzzz": 1\n}\n')],
    ["an entry written on one line", (t) => t.replace(/\n}\n$/, ',\n  "zzzz": {"a": "1"}\n}\n')],
    // Keys the frame takes are printable ASCII without a quote or backslash, one byte or more.
    ["a key with an escaped quote", (t) => t.replace(/\n}\n$/, ',\n  "zz\\"z": {\n    "resources": {}\n  }\n}\n')],
    ["a key outside printable ASCII", (t) => t.replace(/\n}\n$/, ',\n  "zz\u00e9": {\n    "resources": {}\n  }\n}\n')],
    ["an empty key", (t) => t.replace(/^{\n/, '{\n  "": {\n    "resources": {}\n  },\n')],
  ];
  for (const [what, damage] of refusals) {
    it(`refuses ${what} in any one file, and merges as without the cut`, () => {
      for (const which of SIDES) {
        const damaged = { ...s, [which]: damage(s[which]) };
        expect(damaged[which]).not.toBe(s[which]);
        expect(cutOf(damaged)).toBeNull();
        expectSameAsUncut(damaged);
      }
    });
  }

  it("cuts nothing from empty exports or when no deployment is in all three; only records when every deployment changed", () => {
    expect(cutOf({ base: "{}\n", ours: "{}\n", theirs: "{}\n" })).toBeNull();
    expect(cutOf({ base: "{}\n", ours: hetzner.text(), theirs: hetzner.text() })).toBeNull();
    const each = hetzner.clone().set(ACME, null, "description", "1").set(GLOBEX, null, "description", "1").set(SHARED_DB, null, "description", "1");
    const cut = cutOf({ base: hetzner.text(), ours: each.text(), theirs: hetzner.text() });
    expect(cut?.deployments.size).toBe(0);
    expect([...(cut?.records.keys() ?? [])]).toEqual([ACME, GLOBEX, SHARED_DB]);
  });

  it("cuts nothing from a file whose unchanged top-level entry has no resources: the profile table reads it as JSON", () => {
    // In NixOps' frame, and every changed entry holds resources; globex, which no side changes, holds none.
    const tenants = (acme: string, initech: string) =>
      JSON.stringify(
        {
          acme: { name: acme, resources: { db: { size: "1" } } },
          globex: { name: "globex", plan: "free" },
          initech: { name: initech, resources: { db: { size: "2" } } },
        },
        null,
        2,
      ) + "\n";
    // Each side renames a different tenant to the same name: a conflict only under the NixOps rules.
    const inputs = { base: tenants("acme", "initech"), ours: tenants("same", "initech"), theirs: tenants("acme", "same") };
    expect(cutOf(inputs)).toBeNull();
    const outcome = mergeStates(inputs);
    expect(outcome.method === "structured" && [outcome.profile.name, outcome.conflicts.length]).toEqual(["json", 0]);
    expectSameAsUncut(inputs);
    // With resources in globex too, the same file is a NixOps export and globex is cut.
    const withResources = (t: string) => t.replace('"plan": "free"', '"plan": "free",\n    "resources": {}');
    const nixops = { base: withResources(inputs.base), ours: withResources(inputs.ours), theirs: withResources(inputs.theirs) };
    expect([...(cutOf(nixops)?.deployments.keys() ?? [])]).toEqual(["globex"]);
    expectSameAsUncut(nixops);
  });

  it("cuts nothing from files with a changed deployment with two \"resources\" keys (they are read whole), and merges as without the cut", () => {
    // The first "resources" holds a record all three share, the second the deployment's own.
    const twice = (t: string) => t.replace(/\n {4}"resources": \{/, '\n    "resources": {\n      "aaa": {\n        "state": "1"\n      }\n    },\n    "resources": {');
    const inputs = { base: twice(s.base), ours: twice(s.ours), theirs: twice(s.theirs) };
    expect(framesOf(inputs)).toBeNull();
    expectSameAsUncut(inputs);
    // The same deployment with one "resources" has records cut (so that the check above can fail).
    expect(cutOf(s)?.records.has(ACME)).toBe(true);
  });
});

describe("runs of records no side changed (the driver's cut)", () => {
  const inputs = generateScenario(400, 5, { deployed: 1 });
  const runs = () => runsOf(inputs);

  it("takes records next to each other on all three sides as one run, written back from its first name's line to its last record's end", () => {
    const found = runs();
    expect(found.length).toBeGreaterThan(0);
    const ours = Buffer.from(inputs.ours);
    for (const run of found) {
      const span = run.entryBytes(run.key, 6, ",");
      expect(span).toBeDefined();
      const text = ours.toString("utf8", span!.start, span!.end);
      // Two records or more: its first name's line, then records up to a closing brace at record depth.
      expect(text.startsWith(`      ${JSON.stringify(run.key)}: {\n`)).toBe(true);
      expect(text.match(/\n      \}(,|$)/g)?.length).toBeGreaterThanOrEqual(2);
      expect(text.endsWith("\n      }")).toBe(true);
      // Each record inside is in base and theirs too, with the same bytes.
      for (const side of [inputs.base, inputs.theirs]) expect(String(side).includes(text)).toBe(true);
    }
  });

  it("throws RunInspected when anything looks inside a run, where a record would parse", () => {
    const [run] = runs();
    // Also when it would be written as one record's value, or where the layout separates items
    // otherwise than ours separates the run's records (Python 2's ", " here).
    const looks: Array<() => unknown> = [() => run.get("type"), () => run.has("type"), () => run.size, () => [...run.keys()], () => [...run], () => run.text];
    looks.push(() => run.verbatimParts(), () => run.entryBytes(run.key, 6, ", "));
    for (const look of looks) expect(look).toThrow(RunInspected);
  });

  it("is merged again without runs when what is made from the merge looks inside one", () => {
    const tried: boolean[] = [];
    // Counts every record of every deployment, so looks inside each run.
    const countRecords = (settings: MergeSettings) => {
      tried.push(settings.recordRuns === true);
      const outcome = mergeStates(inputs, settings);
      if (outcome.method !== "structured") throw new Error(outcome.reason);
      let n = 0;
      for (const deployment of (outcome.documents[1] as Map<string, Map<string, unknown>>).values()) {
        for (const record of (deployment.get("resources") as Map<string, Map<string, unknown>>).values()) n += record.size;
      }
      return n;
    };
    expect(withRecordRuns({}, countRecords)).toBe(countRecords({}));
    expect(tried).toEqual([true, false, false]);
  });
});
