// How verify reads a merged file: with the profile's own rules (the profile table's row), not a
// rule of its own per kind.

import { describe, expect, it } from "vitest";
import { Embedded } from "../../src/core/values";
import { profileNamed } from "../../src/profiles/table";
import { readMergedState } from "../../src/verify/readMergedState";

const notAnExport = JSON.stringify({ "a-uuid": { name: "prod", resources: ["not", "records"] } });
const withKeys = JSON.stringify({ "a-uuid": { name: "prod", keys: '{"b": 1, "a": 2}', resources: {} } });

describe("readMergedState", () => {
  it("calls a document the NixOps row does not admit no longer a NixOps export", () => {
    expect(readMergedState(notAnExport, profileNamed("nixops"))).toEqual({
      kind: "invalid",
      reason: "is JSON but no longer a NixOps export (deployments with resource records)",
    });
  });

  it("takes the same document as state under the rows that admit any JSON", () => {
    expect(readMergedState(notAnExport, profileNamed("json")).kind).toBe("state");
    expect(readMergedState(notAnExport, profileNamed("tfstate")).kind).toBe("state");
  });

  it("decodes embedded JSON only where the profile says strings may hold it", () => {
    const keysOf = (name: "nixops" | "json") => {
      const read = readMergedState(withKeys, profileNamed(name));
      if (read.kind !== "state" || !(read.value instanceof Map)) throw new Error("expected a state");
      return (read.value.get("a-uuid") as Map<string, unknown>).get("keys");
    };
    expect(keysOf("nixops")).toBeInstanceOf(Embedded);
    expect(keysOf("json")).toBe('{"b": 1, "a": 2}');
  });
});
