// Compares a file with what `nixops export` would print for the same state (sorted keys,
// 2-space indent, ASCII escapes, the file's own Python 2 or 3 separators, one final newline)
// and names the first line that differs and why. Values are never quoted in the message:
// a differing line may hold a secret.

import type { JsonValue } from "../../core/values";
import { canonicalText, type PythonSeparators } from "../../formats/nixopsExport";
import { problem, type Problem } from "./problems";

const KEY = /^\s*("(?:[^"\\]|\\.)*")\s*:/;

function keyOf(line: string): string | null {
  const m = KEY.exec(line);
  if (!m) return null;
  try {
    return JSON.parse(m[1]) as string;
  } catch {
    return null;
  }
}

function firstDifferentColumn(a: string, b: string): number {
  let i = 0;
  while (i < a.length && i < b.length && a[i] === b[i]) i++;
  return i + 1;
}

function why(found: string, expected: string, separators: PythonSeparators): string {
  const indentFound = /^ */.exec(found)![0].length;
  const indentExpected = /^ */.exec(expected)![0].length;
  if (/^\s*\t/.test(found)) return "indented with a tab; nixops export indents with 2 spaces per level";
  if (indentFound !== indentExpected) return `indented by ${indentFound} spaces; nixops export indents this line by ${indentExpected}`;
  const kf = keyOf(found);
  const ke = keyOf(expected);
  if (kf !== null && ke !== null && kf !== ke) {
    return `key ${JSON.stringify(kf)} is out of order; nixops export sorts keys and writes ${JSON.stringify(ke)} here`;
  }
  const sep = separators === "py2" ? '", " (Python 2, NixOps 1.x)' : '"," (Python 3, NixOps 2.x)';
  const strip = (s: string) => s.replace(/,\s*$/, "");
  if (strip(found) === strip(expected) && found !== expected) {
    return `the item separator differs; this file's nixops export ends such lines with ${sep}`;
  }
  if (/[^\x20-\x7e]/.test(found)) return "a character outside printable ASCII is written raw; nixops export escapes it as \\uXXXX";
  if (found.replace(/\s/g, "") === expected.replace(/\s/g, "")) return "spacing differs from nixops export (\": \" after a key, nothing else)";
  if (/[{[]\s*$/.test(expected) !== /[{[]\s*$/.test(found)) return "objects and arrays are broken over lines differently from nixops export (one entry per line, {} when empty)";
  if (kf !== null && kf === ke) return `the value of ${JSON.stringify(kf)} is spelled differently from Python's json.dumps (escapes or number format)`;
  return "this line differs from what nixops export prints";
}

/** The first layout difference from nixops export, or none. */
export function layoutProblems(text: string, value: JsonValue, separators: PythonSeparators): Problem[] {
  const canonical = canonicalText(value, separators);
  if (text === canonical) return [];
  if (text.charCodeAt(0) === 0xfeff) return [problem(1, 1, "the file starts with a byte-order mark; nixops export writes none", true)];
  const crlf = text.indexOf("\r\n");
  if (crlf >= 0) {
    const line = text.slice(0, crlf).split("\n").length;
    return [problem(line, text.slice(0, crlf).length - text.lastIndexOf("\n", crlf - 1), "Windows line end (CRLF); nixops export ends lines with \\n", true)];
  }
  const found = text.split("\n");
  const expected = canonical.split("\n");
  for (let i = 0; i < Math.max(found.length, expected.length); i++) {
    const f = found[i];
    const e = expected[i];
    if (f === e) continue;
    if (f === undefined) return [problem(i, (found[i - 1] ?? "").length + 1, "no newline at the end of the file; nixops export ends it with one", true)];
    if (e === undefined || (e === "" && i === expected.length - 1)) {
      return [problem(i + 1, 1, "text after the document's last line (nixops export ends with a single newline)", true)];
    }
    return [problem(i + 1, firstDifferentColumn(f, e), `layout differs from nixops export: ${why(f, e, separators)}`, true)];
  }
  return [];
}
