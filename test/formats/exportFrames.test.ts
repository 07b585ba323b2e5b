// The one framing of three NixOps exports (src/formats/exportFrames.ts), checked against the
// documents themselves: every deployment and framed record is where the parse puts it, in
// the file's order, and an entry is said to hold ours' bytes only when it does.

import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { frameExports, type SideFrame } from "../../src/formats/exportFrames";
import type { EntrySpan } from "../../src/formats/entryFrames";
import { parseJson } from "../../src/formats/parseJson";
import { valuesEqual, type JsonObject } from "../../src/core/values";
import { nixopsTriple, tripleTexts } from "../support/arbitraries";
import { fixtureText } from "../support/fixtures";
import { generateScenario } from "../../scripts/bench-generate.js";

const INPUTS = ["base", "ours", "theirs"] as const;

/**
 * The entries' keys in order, and each entry's text parsed, against the parsed object. A run
 * (records > 1) is read as the records it spans, from its first key's line to its last's end.
 */
function expectEntries(buf: Buffer, entries: readonly EntrySpan[], parsed: JsonObject): void {
  const records: [string, JsonObject][] = [];
  for (const e of entries) {
    expect(buf.toString("utf8", e.line, e.start)).toMatch(new RegExp(`^ *${JSON.stringify(e.key).replace(/[[\]\\^$.|?*+()]/g, "\\$&")}: $`));
    if (e.records === 1) {
      expect(e.last).toBe(e.key);
      records.push([e.key, parseJson(buf.toString("utf8", e.start, e.end)).value as JsonObject]);
      continue;
    }
    const run = [...(parseJson(`{\n${buf.toString("utf8", e.line, e.end)}\n}`).value as JsonObject)] as [string, JsonObject][];
    expect([run.length, run[0][0], run[run.length - 1][0]]).toEqual([e.records, e.key, e.last]);
    records.push(...run);
  }
  expect(records.map(([key]) => key)).toEqual([...parsed.keys()]);
  for (const [key, value] of records) expect(valuesEqual(value, parsed.get(key) as JsonObject)).toBe(true);
}

function expectSide(side: SideFrame, ours: SideFrame, same: Set<string>): void {
  const doc = parseJson(side.buf.toString("utf8")).value as JsonObject;
  expectEntries(side.buf, side.deployments.entries, doc);
  for (const d of side.deployments.entries) {
    const resources = side.resources.get(d.key);
    if (same.has(d.key)) continue;
    if (!resources) throw new Error(`the records of ${d.key} are not framed`);
    expectEntries(side.buf, resources.entries, (doc.get(d.key) as JsonObject).get("resources") as JsonObject);
    for (const r of resources.entries) {
      if (r.sameAs === undefined) continue;
      // Said to hold ours' bytes: it does, key line included.
      expect(side.buf.subarray(r.line, r.end).equals(ours.buf.subarray(r.sameAs.line, r.sameAs.end))).toBe(true);
    }
  }
}

describe("framing three NixOps exports", () => {
  it("finds every deployment and every record some side changed where the parse has it", () => {
    let framed = 0;
    fc.assert(
      fc.property(nixopsTriple(), fc.boolean(), (triple, frameSame) => {
        const texts = tripleTexts(triple);
        const bufs = INPUTS.map((n) => Buffer.from(texts[n]));
        const frames = frameExports(bufs[0], bufs[1], bufs[2], { frameSame });
        if (frames === null) return;
        framed++;
        for (const side of frames.sides) expectSide(side, frames.sides[1], frameSame ? new Set() : frames.same);
        // Same on all three sides: the very bytes, key line included.
        for (const key of frames.same) {
          const [b, o, t] = frames.sides.map((s) => s.byKey.get(key) as EntrySpan);
          expect(bufs[0].subarray(b.line, b.end).equals(bufs[1].subarray(o.line, o.end))).toBe(true);
          expect(bufs[2].subarray(t.line, t.end).equals(bufs[1].subarray(o.line, o.end))).toBe(true);
        }
      }),
      { numRuns: 200 },
    );
    // Generated states are in NixOps' frame (so that the checks above check something).
    expect(framed).toBeGreaterThan(150);
  });

  it("takes a record for ours' only when its key line is ours' too", () => {
    // Base names a record differently (same length, same place, same body): not ours' record.
    const ours = fixtureText("hetzner-hcloud-multitenant");
    const base = ours.replace('\n      "acme-web": {', '\n      "acme-wea": {');
    expect(base).not.toBe(ours);
    const bufs = [base, ours, ours].map((t) => Buffer.from(t));
    const frames = frameExports(bufs[0], bufs[1], bufs[2], { frameSame: true });
    if (frames === null) throw new Error("the fixture is not framed");
    for (const side of frames.sides) expectSide(side, frames.sides[1], new Set());
  });

  it("frames nothing where a deployment the files do not share has records outside the frame on one side (a key that is not plain)", () => {
    const ours = fixtureText("hetzner-hcloud-multitenant");
    // The deployment's last record, so that the key order still holds byte for byte.
    const escaped = ours.replace('\n      "deploy-key": {\n        "creationTime"', '\n      "deploy-ke\\u0079": {\n        "creationTime"');
    expect(escaped).not.toBe(ours);
    const uuid = [...(parseJson(ours).value as JsonObject)].find(([, d]) => (d as JsonObject).get("name") === "tenant-acme")?.[0] as string;
    // Every deployment some side changed is framed on every side, or the files are read whole.
    for (const runs of [false, true]) expect(frameExports(Buffer.from(escaped), Buffer.from(ours), Buffer.from(ours), { runs })).toBeNull();
    const frames = frameExports(Buffer.from(ours.replace('"name": "tenant-acme"', '"name": "tenant-acme2"')), Buffer.from(ours), Buffer.from(ours), { runs: true });
    expect(frames?.sides.map((s) => s.resources.has(uuid))).toEqual([true, true, true]);
  });

  it("frames every fixture, and refuses a file outside the frame", () => {
    for (const name of ["ec2-prod-5machines", "hetzner-hcloud-multitenant", "legacy-nixops-1.7-python2"]) {
      const buf = Buffer.from(fixtureText(name));
      const frames = frameExports(buf, buf, buf, { frameSame: true });
      if (frames === null) throw new Error(`${name} is not framed`);
      expectSide(frames.sides[1], frames.sides[1], new Set());
      expect(frames.same.size).toBe(frames.sides[1].deployments.entries.length);
    }
    const text = fixtureText("hetzner-hcloud-multitenant");
    for (const outside of [text.replace(/\n/g, "\r\n"), text.replace(/\n {2}"/, '\n   "'), text.slice(0, -1), "{}\n"]) {
      const buf = Buffer.from(outside);
      expect(frameExports(buf, buf, buf)).toBeNull();
    }
  });
});

/**
 * Frames with runs (the driver's) against frames of one record per entry: the same records at
 * the same places on every side, where each run spans exactly the records one-per-entry frames
 * find between its first line and its end, and ours' runs stand on base and theirs too.
 */
function expectRunsOver(bufs: Buffer[]): { runs: number } {
  const plain = frameExports(bufs[0], bufs[1], bufs[2]);
  const withRuns = frameExports(bufs[0], bufs[1], bufs[2], { runs: true });
  expect(withRuns === null).toBe(plain === null);
  if (plain === null || withRuns === null) return { runs: 0 };
  expect(withRuns.same).toEqual(plain.same);
  let runs = 0;
  withRuns.sides.forEach((side, i) => {
    expect([...side.resources.keys()]).toEqual([...plain.sides[i].resources.keys()]);
    for (const [uuid, frame] of side.resources) {
      const records = (plain.sides[i].resources.get(uuid) as { entries: EntrySpan[] }).entries;
      const flat: [string, number, number][] = [];
      for (const e of frame.entries) {
        const inside = records.filter((r) => r.line >= e.line && r.end <= e.end);
        expect([inside.length, inside[0].key, inside[inside.length - 1].key, inside[0].line, inside[inside.length - 1].end]).toEqual([e.records, e.key, e.last, e.line, e.end]);
        flat.push(...inside.map((r): [string, number, number] => [r.key, r.line, r.end]));
        if (e.records === 1) continue;
        if (i === 1) runs++;
        // A run is in all three files, byte for byte: base's and theirs' entries name ours'.
        else expect(frame.entries.length > 0 && e.sameAs !== undefined && e.sameAs.records === e.records).toBe(true);
      }
      expect(flat).toEqual(records.map((r) => [r.key, r.line, r.end]));
      expect(frame.separator).toBe(plain.sides[i].resources.get(uuid)?.separator);
      expect(frame.end).toBe(plain.sides[i].resources.get(uuid)?.end);
    }
  });
  // Runs are whole: two records next to each other that all three hold byte for byte, next to
  // each other on every side, are in one entry of ours.
  for (const [uuid, frame] of withRuns.sides[1].resources) {
    const ours = (plain.sides[1].resources.get(uuid) as { entries: EntrySpan[] }).entries;
    const at = [0, 2].map((i) => {
      const entries = plain.sides[i].resources.get(uuid)?.entries ?? [];
      return (r: EntrySpan) => entries.findIndex((e) => e.key === r.key && plain.sides[i].buf.subarray(e.line, e.end).equals(bufs[1].subarray(r.line, r.end)));
    });
    const entryOf = (r: EntrySpan) => frame.entries.find((e) => e.line <= r.line && r.end <= e.end);
    for (let k = 0; k + 1 < ours.length; k++) {
      const together = at.every((find) => find(ours[k]) >= 0 && find(ours[k + 1]) === find(ours[k]) + 1);
      if (together) expect(entryOf(ours[k])).toBe(entryOf(ours[k + 1]));
    }
  }
  // Each run of ours stands on base and theirs, once each.
  for (const [uuid, frame] of withRuns.sides[1].resources) {
    for (const run of frame.entries.filter((e) => e.records > 1)) {
      for (const side of [withRuns.sides[0], withRuns.sides[2]]) {
        const held = side.resources.get(uuid)?.entries.filter((e) => e.sameAs === run) ?? [];
        expect(held.length).toBe(1);
        expect(side.buf.subarray(held[0].line, held[0].end).equals(bufs[1].subarray(run.line, run.end))).toBe(true);
      }
    }
  }
  return { runs };
}

describe("framing with runs of records all three hold (the driver's)", () => {
  it("frames the same records as one per entry, with runs only where all three hold them", () => {
    let runs = 0;
    fc.assert(
      fc.property(nixopsTriple({ maxEdits: 3 }), (triple) => {
        const texts = tripleTexts(triple);
        runs += expectRunsOver(INPUTS.map((n) => Buffer.from(texts[n]))).runs;
      }),
      { numRuns: 200 },
    );
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 1000 }), fc.integer({ min: 0, max: 3 }), fc.constantFrom(undefined, 1), (seed, deployed, deployments) => {
        const scenario = generateScenario(300, seed, { deployed, deployments });
        runs += expectRunsOver(INPUTS.map((n) => Buffer.from(scenario[n]))).runs;
      }),
      { numRuns: 15 },
    );
    expect(runs).toBeGreaterThan(20);
  });
});
