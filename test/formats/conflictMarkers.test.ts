// docs/merge-rules.md, "Conflict markers": conflict markers around whole lines at the
// smallest unit, %L markers and Git's labels, a base section for diff3/zdiff3, and either side
// of every hunk valid JSON keeping the other side's non-conflicting changes.

import { describe, expect, it } from "vitest";
import { mergeTexts } from "../../src/pipeline/mergeTexts";
import type { ConflictStyle } from "../../src/formats/renderDocument";
import { parseJson } from "../../src/formats/parseJson";
import { State } from "../support/fixtures";
import { embeddedValue, pickFromMarkers } from "../support/arbitraries";
import type { JsonObject } from "../../src/core/values";

function merge(base: State | string, ours: State | string, theirs: State | string, style: ConflictStyle = "merge", size = 7) {
  const text = (s: State | string) => (typeof s === "string" ? s : s.text());
  const r = mergeTexts({ base: text(base), ours: text(ours), theirs: text(theirs) }, { markers: { size, ours: "HEAD", base: "1a2b3c4", theirs: "feature/deploy", style } });
  if (r.kind !== "merged") throw new Error(r.reason);
  return r;
}

/** The hunks of a text: [ours lines, base lines, theirs lines], markers of the given size. */
function hunks(text: string, size = 7): { ours: string[]; base: string[]; theirs: string[] }[] {
  const out: { ours: string[]; base: string[]; theirs: string[] }[] = [];
  let cur: (typeof out)[number] | null = null;
  let side: "ours" | "base" | "theirs" = "ours";
  for (const line of text.split("\n")) {
    if (line.startsWith("<".repeat(size))) {
      cur = { ours: [], base: [], theirs: [] };
      side = "ours";
    } else if (cur && line.startsWith("|".repeat(size))) side = "base";
    else if (cur && line === "=".repeat(size)) side = "theirs";
    else if (cur && line.startsWith(">".repeat(size))) {
      out.push(cur);
      cur = null;
    } else if (cur) cur[side].push(line);
  }
  return out;
}

const doc = (text: string) => {
  const p = parseJson(text);
  expect(p.duplicates).toEqual([]);
  return p.value as JsonObject;
};
const attr = (d: JsonObject, uuid: string, resource: string, name: string) => ((d.get(uuid) as JsonObject).get("resources") as JsonObject).get(resource) instanceof Map ? (((d.get(uuid) as JsonObject).get("resources") as JsonObject).get(resource) as JsonObject).get(name) : undefined;

describe("conflict markers", () => {
  const base = State.fixture("ec2-prod-5machines");
  const uuid = base.uuid("prod");
  const ours = base.clone().set("prod", "lb1", "toplevel", "/nix/store/ours-lb1").set("prod", "db1", "state", "5");
  const theirs = base.clone().set("prod", "lb1", "toplevel", "/nix/store/theirs-lb1").set("prod", "app1", "publicIpv4", "203.0.113.9");

  it("surround only the conflicting attribute's line, with %L-sized markers and Git's labels", () => {
    const r = merge(base, ours, theirs, "merge", 10);
    const lines = r.text.split("\n");
    const open = lines.indexOf("<<<<<<<<<< HEAD");
    expect(open).toBeGreaterThan(0);
    expect(lines.slice(open, open + 5)).toEqual([
      "<<<<<<<<<< HEAD",
      '        "toplevel": "/nix/store/ours-lb1",',
      "==========",
      '        "toplevel": "/nix/store/theirs-lb1",',
      ">>>>>>>>>> feature/deploy",
    ]);
    expect(lines.filter((l) => /^[<=>|]{7}/.test(l))).toHaveLength(3);
  });

  for (const style of ["diff3", "zdiff3"] as const) {
    it(`${style}: a base section with the base label and the base's line`, () => {
      const r = merge(base, ours, theirs, style);
      const [h] = hunks(r.text);
      expect(r.text).toContain("\n||||||| 1a2b3c4\n");
      expect(h.base).toEqual([`        "toplevel": ${JSON.stringify(base.get("prod", "lb1", "toplevel"))},`]);
    });
  }

  it("without diff3 there is no base section", () => {
    expect(merge(base, ours, theirs).text).not.toContain("|||||||");
  });

  for (const style of ["merge", "diff3", "zdiff3"] as const) {
    it(`${style}: taking ours (or theirs) in every hunk parses and keeps the other side's non-conflicting changes`, () => {
      const r = merge(base, ours, theirs, style);
      for (const side of ["ours", "theirs"] as const) {
        const d = doc(pickFromMarkers(r.text, side));
        expect(attr(d, uuid, "lb1", "toplevel")).toBe(side === "ours" ? "/nix/store/ours-lb1" : "/nix/store/theirs-lb1");
        expect(attr(d, uuid, "db1", "state")).toBe("5");
        expect(attr(d, uuid, "app1", "publicIpv4")).toBe("203.0.113.9");
      }
    });
  }

  it("a hunk where one side has no line (delete/modify), in the middle and at the end of a record, still parses per side", () => {
    // ec2.zone sits in the middle of lb1; rollbackEnabled is the deployment's last entry.
    const o = base.clone().remove("prod", "lb1", "ec2.zone").remove("prod", null, "rollbackEnabled");
    const t = base.clone().set("prod", "lb1", "ec2.zone", "eu-west-1c").set("prod", null, "rollbackEnabled", "0");
    for (const [x, y] of [[o, t], [t, o]]) {
      for (const style of ["merge", "diff3", "zdiff3"] as const) {
        const r = merge(base, x, y, style);
        expect(r.conflicts.map((c) => c.path[c.path.length - 1]).sort()).toEqual(["ec2.zone", "rollbackEnabled"]);
        for (const side of ["ours", "theirs"] as const) doc(pickFromMarkers(r.text, side));
        // Smallest unit: at most the attribute and the closing line whose comma depends on it.
        for (const h of hunks(r.text)) expect(Math.max(h.ours.length, h.theirs.length), r.text).toBeLessThanOrEqual(2);
      }
    }
  });

  it("a whole-resource conflict puts each side's whole record in its section", () => {
    const mate = State.fixture("ec2-prod-after-teammate-deploy");
    const o = base.clone().set("prod", "app2", "toplevel", "/nix/store/ours-app2");
    const r = merge(base, o, mate);
    expect(r.conflicts.map((c) => c.kind)).toEqual(["identity"]);
    const [h] = hunks(r.text);
    expect(h.ours[0]).toBe('      "app2": {');
    expect(h.theirs[0]).toBe('      "app2": {');
    expect(h.ours.join("\n")).toContain(base.get("prod", "app2", "vmId")!);
    expect(h.theirs.join("\n")).toContain(mate.get("prod", "app2", "vmId")!);
    expect(h.theirs.join("\n")).not.toContain(base.get("prod", "app2", "vmId")!);
  });

  it("inside embedded JSON, the ours section holds ours' value with theirs' non-conflicting inner changes, and conversely", () => {
    const o = base.clone().setInner("prod", "app1", "ec2.tags", ["Team"], "blue").setInner("prod", "app1", "ec2.tags", ["Owner"], "alice");
    const t = base.clone().setInner("prod", "app1", "ec2.tags", ["Team"], "green").setInner("prod", "app1", "ec2.tags", ["Environment"], "staging");
    const r = merge(base, o, t);
    expect(r.conflicts.map((c) => c.path)).toEqual([[uuid, "resources", "app1", "ec2.tags", "Team"]]);
    const [h] = hunks(r.text);
    const inner = (lines: string[]) => embeddedValue(JSON.parse("{" + lines.join("").replace(/,$/, "") + "}")["ec2.tags"]) as JsonObject;
    expect(inner(h.ours).get("Team")).toBe("blue");
    expect(inner(h.ours).get("Environment")).toBe("staging");
    expect(inner(h.ours).get("Owner")).toBe("alice");
    expect(inner(h.theirs).get("Team")).toBe("green");
    expect(inner(h.theirs).get("Owner")).toBe("alice");
    expect(inner(h.theirs).get("Environment")).toBe("staging");
  });

  it("with an empty base, the add/add conflicts are marked and both sides parse", () => {
    const o = base.clone().set("prod", "lb2", "state", "5");
    const t = base.clone().set("prod", "lb2", "state", "4");
    const r = merge("", o, t, "diff3");
    expect(r.conflicts.map((c) => c.kind)).toEqual(["add/add"]);
    const [h] = hunks(r.text);
    expect(h.base).toEqual([]);
    for (const side of ["ours", "theirs"] as const) expect(attr(doc(pickFromMarkers(r.text, side)), uuid, "lb2", "state")).toBe(side === "ours" ? "5" : "4");
  });
});
