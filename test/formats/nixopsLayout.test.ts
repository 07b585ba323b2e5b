// docs/merge-rules.md, "Layout": a clean merge in NixOps' layout is byte-identical to what
// `nixops export` prints.
// The oracle is Python's own json.dumps (what NixOps runs): skipped with a line without python3, required under CI.

import { spawnSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { mergeTexts } from "../../src/pipeline/mergeTexts";
import { pythonDumps, pythonString } from "../../src/formats/pythonJson";
import { parseJson } from "../../src/formats/parseJson";
import { State, fixtureText } from "../support/fixtures";
import { HAS_PYTHON } from "../support/python";

const markers = { size: 7, ours: "HEAD", base: "base", theirs: "feature", style: "merge" as const };

/** What NixOps would print for this JSON text: json.dumps(indent=2, sort_keys=True) + print. */
function pythonExport(text: string, separators: "py3" | "py2"): string {
  const seps = separators === "py2" ? "(', ', ': ')" : "(',', ': ')";
  const r = spawnSync("python3", ["-c", `import json,sys; print(json.dumps(json.loads(sys.stdin.read()), indent=2, sort_keys=True, separators=${seps}))`], { input: text, encoding: "utf8" });
  if (r.status !== 0) throw new Error(r.stderr);
  return r.stdout;
}

function mergeClean(base: string, ours: string, theirs: string): string {
  const r = mergeTexts({ base, ours, theirs }, { markers });
  if (r.kind !== "merged") throw new Error(r.reason);
  expect(r.conflicts).toEqual([]);
  return r.text;
}

const TRICKY = "Zürich café ’quoted’ \"q\" back\\slash tab\t nl\n del\u007f ls\u2028 astral😀 bell\u0007";

describe("byte-exact NixOps layout", () => {
  it.skipIf(!HAS_PYTHON)("Python 3 separators: a merged state is what json.dumps prints, non-ASCII escaped", () => {
    const base = State.fixture("hetzner-hcloud-multitenant");
    const ours = base.clone().set("tenant-acme", null, "description", TRICKY);
    const theirs = base.clone().addResource("tenant-globex", "globex-extra", { type: "hcloud-sshkey", "hcloud.id": "1", "hcloud.name": "ünï" });
    const out = mergeClean(base.text(), ours.text(), theirs.text());
    expect(out).toBe(pythonExport(out, "py3"));
    expect(out).toContain("\\u00fcrich caf\\u00e9 \\u2019quoted\\u2019");
    expect(out).toContain("\\u007f");
    expect(out).toContain("\\u2028");
    expect(out).toContain("\\ud83d\\ude00");
    expect(out).toMatch(/,\n/);
    expect(out).not.toMatch(/, \n/);
  });

  it.skipIf(!HAS_PYTHON)("Python 2 separators (NixOps 1.7): every comma at a line end keeps its trailing space", () => {
    const text = fixtureText("legacy-nixops-1.7-python2");
    const base = State.fixture("legacy-nixops-1.7-python2");
    expect(base.separators).toBe("py2");
    const ours = base.clone().set("staging", "app", "state", "5");
    const theirs = base.clone().set("local", null, "description", TRICKY);
    const out = mergeClean(text, ours.text(), theirs.text());
    expect(out).toBe(pythonExport(out, "py2"));
    expect(out.match(/,\n/g)).toBeNull();
    expect(out).toContain('"state": "5", \n');
  });

  it("sorted keys at every level: a key new from theirs lands where NixOps would sort it", () => {
    const base = State.fixture("vbox-none-2machines");
    const theirs = base.clone().set("dev", null, "rollbackEnabled", "1").set("dev", "db", "aaa", "first");
    const out = mergeClean(base.text(), base.text(), theirs.text());
    const lines = out.split("\n");
    // At deployment level "resources" sits before "rollbackEnabled".
    expect(lines.findIndex((l) => l.startsWith('    "resources"'))).toBeLessThan(lines.findIndex((l) => l.startsWith('    "rollbackEnabled"')));
    const db = lines.findIndex((l) => l === '      "db": {');
    expect(lines[db + 1]).toBe('        "aaa": "first",');
    expect(out.endsWith("}\n")).toBe(true);
    expect(out.endsWith("\n\n")).toBe(false);
  });

  it("keys sort by code point, as Python's sort_keys does: a character above U+FFFF after U+FF01, not before", () => {
    const base = State.fixture("vbox-none-2machines");
    const ours = base.clone().set("dev", "db", "\uff01", "fullwidth").set("dev", "db", "z", "ascii");
    const theirs = base.clone().set("dev", "db", "\ud83d\ude00", "astral").set("dev", "db", "\u00e9", "latin");
    const out = mergeClean(base.text(), ours.text(), theirs.text());
    const at = (key: string) => out.indexOf(`"${key}": `);
    // Code points: z (7A) < e-acute (E9) < U+FF01 < U+1F600.
    expect([at("z"), at("\\u00e9"), at("\\uff01"), at("\\ud83d\\ude00")].every((p, i, all) => p > 0 && (i === 0 || all[i - 1] < p))).toBe(true);
    if (HAS_PYTHON) expect(out).toBe(pythonExport(out, "py3"));
  });

  it("an empty statefile exports as {} and a newline", () => {
    expect(mergeClean("{}\n", "{}\n", "{}\n")).toBe("{}\n");
  });
});

describe("Python's json.dumps for embedded JSON", () => {
  it.skipIf(!HAS_PYTHON)("strings and objects re-encode exactly as Python writes them", () => {
    const value = parseJson(JSON.stringify({ "k\u00e9y": [TRICKY, 1, 1.5, true, null, { z: "\u0001" }], a: {} })).value;
    const r = spawnSync("python3", ["-c", "import json,sys; sys.stdout.write(json.dumps(json.loads(sys.stdin.read())))"], { input: JSON.stringify({ "k\u00e9y": [TRICKY, 1, 1.5, true, null, { z: "\u0001" }], a: {} }), encoding: "utf8" });
    expect(pythonDumps(value)).toBe(r.stdout);
    expect(pythonString("\u00e9")).toBe('"\\u00e9"');
  });

  it.skipIf(!HAS_PYTHON)("any string, lone surrogates and control characters included, is escaped exactly as Python escapes it", () => {
    // Each generated string is one JSON line for Python to read back and dump; one process for all.
    const unit = fc.oneof(fc.constantFrom("\"", "\\", "\n", "\t", "\b", "\f", "\r", "\u0000", "\u001f", "\u007f", "\ud800", "\udc00", "\u2028", "é"), fc.string({ unit: "binary", maxLength: 1 }));
    const strings = fc.sample(fc.string({ unit, maxLength: 40 }), { numRuns: 400 });
    const r = spawnSync("python3", ["-c", "import json,sys\nfor line in sys.stdin.read().split(\"\\n\")[:-1]: print(json.dumps(json.loads(line)))"], { input: strings.map((x) => JSON.stringify(x)).join("\n") + "\n", encoding: "utf8" });
    expect(r.status).toBe(0);
    const python = r.stdout.split("\n").slice(0, strings.length);
    expect(strings.map(pythonString)).toEqual(python);
  });
});
