import { describe, expect, it } from "vitest";
import { MARKER_LINE, firstMarkerLine } from "../../src/formats/conflictMarkers";
import { mergeTexts } from "../../src/pipeline/mergeTexts";
import { fixtureText } from "../support/fixtures";

describe("conflict marker lines", () => {
  it("finds every kind of marker line, at any size, labelled or not, LF or CRLF", () => {
    for (const line of ["<<<<<<< HEAD", "<<<<<<<", "||||||| base", "|||||||", "=======", ">>>>>>> topic", ">>>>>>>>> Temporary merge branch 2", "<<<<<<<<<<<<"]) {
      expect(firstMarkerLine(`{\n  "a": 1,\n${line}\n}\n`), line).toEqual({ line: 3, text: line });
      expect(firstMarkerLine(`{\r\n  "a": 1,\r\n${line}\r\n}\r\n`), `${line} (CRLF)`).toEqual({ line: 3, text: line });
    }
  });

  it("does not take JSON lines or short runs for markers", () => {
    for (const text of ['{\n  "<<<<<<< x": 1\n}\n', "======\n", "<<<<<<<x\n", "  =======\n", '"=======",\n']) {
      expect(firstMarkerLine(text), text).toBeNull();
      expect(MARKER_LINE.test(text), text).toBe(false);
    }
  });

  it("takes only \"\\n\" for a line end, as Git does: a marker after U+2028 inside a string is text", () => {
    for (const sep of ["\u2028", "\u2029", "\r"]) {
      const text = `{"note": "x${sep}<<<<<<< y", "password": "hunter2"}\n`;
      expect(firstMarkerLine(text), JSON.stringify(sep)).toBeNull();
    }
    // The control: after a real line end it is a marker.
    expect(firstMarkerLine('{"note": "x"\n<<<<<<< y\n')).toEqual({ line: 2, text: "<<<<<<< y" });
  });

  it("sends an input whose only marker is a bare CRLF separator to the line merge", () => {
    const base = fixtureText("vbox-none-2machines").replace(/\n/g, "\r\n");
    const ours = base.replace('"name": "dev",', '"name": "dev",\r\n=======');
    const r = mergeTexts({ base, ours, theirs: base }, { markers: { size: 7, ours: "o", base: "b", theirs: "t", style: "merge" } });
    expect(r).toEqual({ kind: "fallback", reason: expect.stringMatching(/^ours already holds conflict markers/) });
  });
});
