// The first byte that is not UTF-8, found exactly: text of any characters with one bad byte
// put anywhere is reported at that byte, its line and its column (UTF-16 units, as parse errors count); text that is
// all UTF-8 (U+FFFD itself included) is not.

import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { firstInvalidUtf8 } from "../../src/formats/utf8Text";

describe("firstInvalidUtf8", () => {
  it("any UTF-8 text, U+FFFD and newlines included, has no bad byte", () => {
    fc.assert(fc.property(fc.string({ unit: fc.oneof(fc.constantFrom("\ufffd", "\n", "é", "😀"), fc.string({ unit: "grapheme", maxLength: 1 })) }), (text) => {
      expect(firstInvalidUtf8(Buffer.from(text, "utf8"))).toBeNull();
    }));
  });

  it("one stray byte (0x80-0xff, none a lead byte of a whole sequence) is found at its line and column", () => {
    const line = fc.string({ unit: fc.constantFrom("a", "é", "😀", " ", '"'), maxLength: 12 });
    fc.assert(
      fc.property(fc.array(line, { minLength: 1, maxLength: 5 }), fc.nat(), fc.nat(), fc.constantFrom(0x80, 0xbf, 0xc3, 0xe9, 0xf0, 0xff), (lines, li, ci, byte) => {
        const l = li % lines.length;
        const chars = [...lines[l]];
        const c = ci % (chars.length + 1);
        const before = [...lines.slice(0, l), chars.slice(0, c).join("")].join("\n");
        const after = chars.slice(c).join("") + (l + 1 < lines.length ? "\n" + lines.slice(l + 1).join("\n") : "");
        // A lead byte followed by a continuation would be a whole character: end the text there.
        const tail = byte >= 0xc0 ? "" : after;
        const data = Buffer.concat([Buffer.from(before, "utf8"), Buffer.from([byte]), Buffer.from(tail, "utf8")]);
        const bad = firstInvalidUtf8(data);
        // Columns count as JSON parse errors do: UTF-16 code units (an emoji is two).
        expect(bad).toEqual({ offset: Buffer.byteLength(before, "utf8"), line: l + 1, column: chars.slice(0, c).join("").length + 1 });
      }),
    );
  });
});
