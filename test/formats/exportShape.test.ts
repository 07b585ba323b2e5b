import { describe, expect, it } from "vitest";
import { stripBom } from "../../src/formats/bom";
import { isNixopsExport } from "../../src/formats/nixopsExport";
import { parseJson } from "../../src/formats/parseJson";
import { fixtureText } from "../support/fixtures";

const value = (text: string) => parseJson(text).value;

describe("isNixopsExport", () => {
  it("takes nixops export output with deployments", () => {
    expect(isNixopsExport(value(fixtureText("ec2-prod-5machines")))).toBe(true);
    expect(isNixopsExport(value('{"d": {"resources": {}}}'))).toBe(true);
  });

  it("refuses {} (any JSON file's empty object) and JSON of another shape", () => {
    expect(isNixopsExport(value("{}"))).toBe(false);
    expect(isNixopsExport(value('{"d": {"name": "x"}}'))).toBe(false); // no resources
    expect(isNixopsExport(value('{"d": {"resources": {"web": "x"}}}'))).toBe(false);
    expect(isNixopsExport(value('[{"resources": {}}]'))).toBe(false);
  });
});

describe("stripBom", () => {
  it("drops one leading byte-order mark and nothing else", () => {
    expect(stripBom("\ufeff{}")).toBe("{}");
    expect(stripBom("\ufeff\ufeff{}")).toBe("\ufeff{}");
    expect(stripBom("{}\ufeff")).toBe("{}\ufeff");
    expect(stripBom("")).toBe("");
  });
});
