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
    indent: indentMatch ? indentMatch[1] : "  ",
    itemSeparator: ",",
    keySeparator: ":" + (separatorMatch ? separatorMatch[1] : " "),
    newline,
    finalNewline: /\n$/.test(body),
    bom,
    sortKeys: false,
    compact,
    scalar: plainScalar,
    verbatim: spans
      ? (node) => {
          const span = spans.get(node);
          return span ? body.slice(span[0], span[1]) : undefined;
        }
      : undefined,
  };
}
