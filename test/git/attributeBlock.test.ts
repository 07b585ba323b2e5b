// Install's block in an attributes file: only install's exact lines are its own. Lines a person
// wrote or changed inside the block, and every line outside it (line ends and a missing final
// newline included), stay byte for byte through install and uninstall; a block whose end line
// is gone is refused, not taken to run to the end of the file.

import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { addAttributeLines, attributeLine, BLOCK_BEGIN, BLOCK_END, MalformedBlock, removeAttributeLines } from "../../src/git/install";

describe("install's block in .gitattributes", () => {
  it("uninstall after install gives back any file byte for byte (CRLF, LF; a last line without its line end gets one)", () => {
    const line = fc.constantFrom("*.md text eol=lf", "vendor/** -diff linguist-vendored", "# a comment", "", "*.png binary", "*.json -merge");
    const file = fc.tuple(fc.array(fc.tuple(line, fc.constantFrom("\n", "\r\n")), { maxLength: 6 }), fc.boolean()).map(([lines, finalEol]) => {
      const text = lines.map(([l, e]) => l + e).join("");
      return finalEol || text === "" ? text : text.replace(/\r?\n$/, "");
    });
    fc.assert(
      fc.property(file, fc.uniqueArray(fc.constantFrom("*.nixops.json", "*.tfstate", "state/*.json"), { minLength: 1, maxLength: 3 }), (text, patterns) => {
        const added = addAttributeLines(text, patterns);
        expect(added).not.toBeNull();
        for (const p of patterns) expect(added!).toContain(attributeLine(p));
        // A last line without a line end gets the file's first line end before the block, and keeps it.
        const ended = text === "" || text.endsWith("\n") ? text : text + (/\r?\n/.exec(text)?.[0] ?? "\n");
        expect(added!.startsWith(ended)).toBe(true);
        expect(removeAttributeLines(added!)).toBe(ended);
      }),
    );
  });

  it("keeps lines a person changed or added inside the block, through install and uninstall", () => {
    const text = ["*.md text", BLOCK_BEGIN, attributeLine("*.nixops.json") + " conflict-marker-size=12", "secrets.nixops.json -diff", attributeLine("*.nixops-exported"), BLOCK_END, ""].join("\n");
    const added = addAttributeLines(text, ["*.tfstate"])!;
    expect(added).toBe(text.replace(BLOCK_END, attributeLine("*.tfstate") + "\n" + BLOCK_END));
    expect(removeAttributeLines(added)).toBe(["*.md text", attributeLine("*.nixops.json") + " conflict-marker-size=12", "secrets.nixops.json -diff", ""].join("\n"));
  });

  it("refuses a block whose end line is gone, naming its line, instead of taking the rest of the file", () => {
    const text = ["# team", BLOCK_BEGIN, attributeLine("*.nixops.json"), "*.md text eol=lf", "vendor/** -diff", ""].join("\n");
    expect(() => addAttributeLines(text, ["*.tfstate"])).toThrow(MalformedBlock);
    expect(() => addAttributeLines(text, ["*.tfstate"])).toThrow(/begins on line 2 but its end line .* is gone/);
    expect(() => removeAttributeLines(text)).toThrow(MalformedBlock);
  });
});
