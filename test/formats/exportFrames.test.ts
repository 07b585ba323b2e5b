// The one framing of three NixOps exports (src/formats/exportFrames.ts), checked against the
// documents themselves: every deployment and framed record is where the parse puts it, in
// the file's order, and an entry is said to hold ours' bytes only when it does.

import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { frameExports, type EntrySpan, type SideFrame } from "../../src/formats/exportFrames";
import { parseJson } from "../../src/formats/parseJson";
import { valuesEqual, type JsonObject } from "../../src/core/values";
import { nixopsTriple, tripleTexts } from "../support/arbitraries";
import { fixtureText } from "../support/fixtures";

const INPUTS = ["base", "ours", "theirs"] as const;

/** The entries' keys in order, and each entry's text parsed, against the parsed object. */
function expectEntries(buf: Buffer, entries: readonly EntrySpan[], parsed: JsonObject): void {
  expect(entries.map((e) => e.key)).toEqual([...parsed.keys()]);
  for (const e of entries) {
    expect(buf.toString("utf8", e.line, e.start)).toMatch(new RegExp(`^ *${JSON.stringify(e.key).replace(/[[\]\\^$.|?*+()]/g, "\\$&")}: $`));
    expect(valuesEqual(parseJson(buf.toString("utf8", e.start, e.end)).value, parsed.get(e.key) as JsonObject)).toBe(true);
  }
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
        const frames = frameExports(bufs[0], bufs[1], bufs[2], frameSame);
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
    const frames = frameExports(bufs[0], bufs[1], bufs[2], true);
    if (frames === null) throw new Error("the fixture is not framed");
    for (const side of frames.sides) expectSide(side, frames.sides[1], new Set());
  });

  it("frames every fixture, and refuses a file outside the frame", () => {
    for (const name of ["ec2-prod-5machines", "hetzner-hcloud-multitenant", "legacy-nixops-1.7-python2"]) {
      const buf = Buffer.from(fixtureText(name));
      const frames = frameExports(buf, buf, buf, true);
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
