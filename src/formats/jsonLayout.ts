// The layout of a generic JSON file, read from ours so the merged file looks like ours:
// indent (spaces or tabs), key separator, line ends, final newline, byte-order mark; and
// ours' own text for every object or array the merge takes unchanged from ours.

import { plainScalar, type Layout } from "./renderDocument";

export function detectJsonLayout(text: string, spans?: WeakMap<object, [number, number]>): Layout {
  const bom = text.charCodeAt(0) === 0xfeff;
  const body = bom ? text.slice(1) : text;
  const newline = body.includes("\r\n") ? "\r\n" : "\n";
  const indentMatch = /[[{][ \t]*\r?\n([ \t]+)\S/.exec(body);
  const compact = !/\S[ \t]*\r?\n[ \t]*\S/.test(body.trim());
  const separatorMatch = /"[ \t]*:([ \t]*)/.exec(body);
  return {
    // A one-line document has no indent, and may write ", " between items.
    indent: compact ? "" : indentMatch ? indentMatch[1] : "  ",
    itemSeparator: compact ? "," + spaceAfterFirstComma(body) : ",",
    keySeparator: ":" + (separatorMatch ? separatorMatch[1] : " "),
    newline,
    finalNewline: /\n$/.test(body),
    bom,
    sortKeys: false,
    compact,
    scalar: plainScalar,
    verbatim: spans
      ? (node) => {
          // An empty object is always written "{}", however ours spelled it.
          if (node instanceof Map && node.size === 0) return undefined;
          const span = spans.get(node);
          return span ? body.slice(span[0], span[1]) : undefined;
        }
      : undefined,
  };
}

/** The blanks after the first comma outside a string ("" when there is none). */
function spaceAfterFirstComma(text: string): string {
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (inString) {
      if (c === "\\") i++;
      else if (c === '"') inString = false;
    } else if (c === '"') {
      inString = true;
    } else if (c === ",") {
      return /^[ \t]*/.exec(text.slice(i + 1))?.[0] ?? "";
    }
  }
  return "";
}
