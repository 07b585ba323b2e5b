import { describe, expect, it } from "vitest";
import { mergeTexts } from "../../src/pipeline/mergeTexts";
import { FIXTURES, fixtureText } from "../support/fixtures";

const markers = { size: 7, ours: "ours", base: "base", theirs: "theirs", style: "merge" as const };

describe("every fixture merged with itself", () => {
  for (const name of FIXTURES) {
    it(`${name} comes back byte for byte`, () => {
      const text = fixtureText(name);
      const r = mergeTexts({ base: text, ours: text, theirs: text }, { markers });
      expect(r.kind).toBe("merged");
      if (r.kind === "merged") expect(r.text).toBe(text);
    });
  }
});
