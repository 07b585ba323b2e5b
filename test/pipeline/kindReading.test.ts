// Which kind's files are framed and read record by record: the table says so (kindReading.ts),
// and a profile the policy forces is honoured: a NixOps export forced to plain JSON is read
// whole, and written in JSON's layout, not NixOps'.

import { describe, expect, it } from "vitest";
import { framedRow, KIND_READINGS } from "../../src/pipeline/kindReading";
import { mergeStates } from "../../src/pipeline/mergeTexts";
import { overlayOf } from "../../src/profiles/overlay";
import { PROFILE_TABLE } from "../../src/profiles/table";
import { fixtureText } from "../support/fixtures";

describe("kind readings", () => {
  it("every row's codec has a reading; the framed row is the one whose codec frames, unless another is forced", () => {
    for (const row of PROFILE_TABLE) expect(KIND_READINGS[row.layout], row.name).toBeDefined();
    const framing = PROFILE_TABLE.filter((r) => KIND_READINGS[r.layout].framed);
    expect(framedRow(undefined)).toBe(framing[0]);
    for (const row of PROFILE_TABLE) expect(framedRow(row.name)).toBe(KIND_READINGS[row.layout].framed ? row : null);
  });

  it("a NixOps export is read framed unless the policy forces another profile", () => {
    const base = fixtureText("ec2-prod-5machines");
    const ours = fixtureText("ec2-prod-after-teammate-deploy");
    const inputs = { base, ours, theirs: base };
    const free = mergeStates(inputs);
    const forced = mergeStates(inputs, { overlay: overlayOf({ profile: "json" }) });
    if (free.method !== "structured" || forced.method !== "structured") throw new Error("fell back");
    expect(free.reading).toMatch(/^record by record/);
    expect(free.profile.name).toBe("nixops");
    expect(forced.reading).toBe("whole files");
    expect(forced.profile.name).toBe("json");
  });
});
