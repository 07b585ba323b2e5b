// Writes a key twice into the text of a NixOps export, the way a bad hand merge does: a second
// copy of a deployment or a resource record (carrying a marker attribute, so that a test can
// find each copy in a result), or a second line for one attribute. Text edits on NixOps'
// own layout, independent of the code under test.

export type DuplicatePath = [uuid: string] | [uuid: string, "resources", resource: string];

/** The item separator at line ends: Python 2 writes ", ", Python 3 ",". */
function separatorOf(text: string): string {
  return /, \n/.test(text) ? ", " : ",";
}

const pad = (n: number) => " ".repeat(n);

/** [first line, closing line] of the record at `path` (both the same line for `"x": {}`). */
export function recordLines(lines: readonly string[], path: readonly string[]): [number, number] {
  let from = 0;
  let to = lines.length - 1;
  let indent = 0;
  for (const key of path) {
    indent += 2;
    if (key === "resources") continue;
    const open = `${pad(indent)}${JSON.stringify(key)}: {`;
    const start = lines.findIndex((l, i) => i >= from && i <= to && l.startsWith(open));
    if (start < 0) throw new Error(`no record ${JSON.stringify(path)}`);
    const oneLine = /\{\}(, ?)?$/.test(lines[start]);
    const end = oneLine ? start : lines.findIndex((l, i) => i > start && l.startsWith(pad(indent) + "}"));
    [from, to] = [start, end];
  }
  return [from, to];
}

const stripSeparator = (line: string, sep: string) => (line.endsWith(sep) ? line.slice(0, line.length - sep.length) : line);

/**
 * The text with a second copy of the record at `path`, holding `"copyMarker": marker`, written
 * before the record (the parser then keeps the original) or after it (it keeps the copy).
 */
export function duplicateRecord(text: string, path: DuplicatePath, marker: string, position: "before" | "after"): string {
  const sep = separatorOf(text);
  const lines = text.split("\n");
  const [start, end] = recordLines(lines, path);
  const indent = path.length === 1 ? 2 : 6;
  const markerLine = `${pad(indent + 2)}"copyMarker": ${JSON.stringify(marker)}`;
  let copy: string[];
  if (start === end) {
    const open = stripSeparator(lines[start], sep).replace(/\{\}$/, "{");
    copy = [open, markerLine, pad(indent) + "}"];
  } else {
    copy = [lines[start], markerLine + sep, ...lines.slice(start + 1, end), stripSeparator(lines[end], sep)];
  }
  if (position === "before") {
    copy[copy.length - 1] += sep;
    lines.splice(start, 0, ...copy);
  } else {
    if (lines[end].endsWith(sep)) copy[copy.length - 1] += sep;
    else lines[end] += sep;
    lines.splice(end + 1, 0, ...copy);
  }
  return lines.join("\n");
}

/** The text with a second line for `attribute` of the record at `path`, set to `marker`, before the first. */
export function duplicateAttribute(text: string, path: DuplicatePath, attribute: string, marker: string): string {
  const sep = separatorOf(text);
  const lines = text.split("\n");
  const [start, end] = recordLines(lines, path);
  const indent = path.length === 1 ? 4 : 8;
  const prefix = `${pad(indent)}${JSON.stringify(attribute)}: `;
  const at = lines.findIndex((l, i) => i > start && i < end && l.startsWith(prefix));
  if (at < 0) throw new Error(`no attribute ${attribute} in ${JSON.stringify(path)}`);
  lines.splice(at, 0, `${prefix}${JSON.stringify(marker)}${sep}`);
  return lines.join("\n");
}
