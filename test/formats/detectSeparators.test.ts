import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { detectSeparators, SEPARATOR_WINDOW } from "../../src/formats/nixopsExport";
import { mergeTexts } from "../../src/pipeline/mergeTexts";
import { State, fixtureText } from "../support/fixtures";

const markers = { size: 7, ours: "ours", base: "base", theirs: "theirs", style: "merge" as const };

/** The text with a trailing space added after the comma that ends line `n` (1-based). */
function strayTrailingSpace(text: string, n: number): string {
  const lines = text.split("\n");
  expect(lines[n - 1].endsWith(",")).toBe(true);
  lines[n - 1] += " ";
  return lines.join("\n");
}

/** The rule as docs/merge-rules.md words it: the majority of the first 1,000 commas that end a line ("," or ", ", then LF or CRLF). */
function majorityOfLineEndCommas(text: string): "py2" | "py3" | null {
  const votes = [...text.matchAll(/,( ?)\r?\n/g)].slice(0, 1000).map((m) => (m[1] === " " ? "py2" : "py3"));
  if (votes.length === 0) return null;
  return votes.filter((v) => v === "py2").length > votes.length / 2 ? "py2" : "py3";
}

describe("detectSeparators", () => {
  it("votes as the rule says, on text and on its bytes alike", () => {
    const piece = fc.constantFrom(",", " ", "\n", "\r", "}", "a", ", \n", ",\n", ",\r\n", ", \r\n");
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 60 }), fc.nat(2500), (pieces, pad) => {
        // Enough line ends, sometimes, that the first 1,000 votes are not all of them.
        const text = pieces.join("") + ",\n".repeat(pad % 3 === 0 ? pad : 0) + pieces.join("");
        const expected = majorityOfLineEndCommas(text);
        expect(detectSeparators(text)).toBe(expected);
        expect(detectSeparators(Buffer.from(text, "latin1"))).toBe(expected);
      }),
      { numRuns: 300 },
    );
  });

  it("counts a line end that straddles two windows of the bytes once", () => {
    // One Python 2 line end, then one Python 3: a tie, which Python 3 wins; counted in both
    // windows, the Python 2 one would win. Alone, it must be found at all.
    for (const lineEnd of [", \n", ", \r\n"]) {
      for (let shift = -lineEnd.length; shift <= lineEnd.length; shift++) {
        const text = "a".repeat(SEPARATOR_WINDOW + shift) + lineEnd + "b,\n";
        expect(majorityOfLineEndCommas(text)).toBe("py3");
        expect(detectSeparators(Buffer.from(text, "latin1"))).toBe("py3");
        const alone = "a".repeat(SEPARATOR_WINDOW + shift) + lineEnd;
        expect(detectSeparators(Buffer.from(alone, "latin1"))).toBe("py2");
      }
    }
  });

  it("reads NixOps 2.0 (Python 3) and 1.7 (Python 2) exports", () => {
    expect(detectSeparators(fixtureText("ec2-prod-5machines"))).toBe("py3");
    expect(detectSeparators(fixtureText("legacy-nixops-1.7-python2"))).toBe("py2");
    expect(detectSeparators(fixtureText("ec2-prod-5machines").replace(/\n/g, "\r\n"))).toBe("py3");
    expect(detectSeparators(fixtureText("legacy-nixops-1.7-python2").replace(/\n/g, "\r\n"))).toBe("py2");
  });

  it("has no answer for a file without item separators", () => {
    expect(detectSeparators("{}\n")).toBeNull();
    expect(detectSeparators('{\n  "a": "x, y"\n}\n')).toBeNull();
  });

  it("is not switched by one stray trailing space", () => {
    expect(detectSeparators(strayTrailingSpace(fixtureText("ec2-prod-5machines"), 3))).toBe("py3");
  });

  it("keeps a merged file in ours' layout when ours has one stray trailing space", () => {
    const base = State.fixture("ec2-prod-5machines");
    const ours = base.clone().set("prod", "app1", "toplevel", "/nix/store/ours-app1");
    const theirs = base.clone().set("prod", "db1", "toplevel", "/nix/store/theirs-db1");
    const r = mergeTexts({ base: base.text(), ours: strayTrailingSpace(ours.text(), 3), theirs: theirs.text() }, { markers });
    expect(r.kind).toBe("merged");
    if (r.kind !== "merged") return;
    const expected = base.clone().set("prod", "app1", "toplevel", "/nix/store/ours-app1").set("prod", "db1", "toplevel", "/nix/store/theirs-db1");
    expect(r.text).toBe(expected.text("py3"));
  });
});
