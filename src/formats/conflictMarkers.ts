// What a Git conflict marker line looks like, at any marker size (criss-cross inner merges
// use 9 and more, `conflict-marker-size` any), with or without a label, LF or CRLF.

export const MARKER_LINE = /^(?:<{7,}|>{7,}|\|{7,})(?: |\r?$)|^={7,}\r?$/m;

/** MARKER_LINE, searched on: a JavaScript `^` also matches after U+2028 and U+2029, which Git does not take for line ends. */
const MARKER_SEARCH = new RegExp(MARKER_LINE.source, "gm");

/** The first line that looks like a conflict marker, or null; found without splitting the text. */
export function firstMarkerLine(text: string): { line: number; text: string } | null {
  MARKER_SEARCH.lastIndex = 0;
  let m: RegExpExecArray | null;
  // Only at a line start as Git counts lines (after "\n", or the first line).
  while ((m = MARKER_SEARCH.exec(text)) !== null && m.index > 0 && text[m.index - 1] !== "\n") MARKER_SEARCH.lastIndex = m.index + 1;
  if (m === null) return null;
  let line = 1;
  for (let i = text.indexOf("\n"); i !== -1 && i < m.index; i = text.indexOf("\n", i + 1)) line++;
  const end = text.indexOf("\n", m.index);
  return { line, text: text.slice(m.index, end === -1 ? undefined : end).replace(/\r$/, "") };
}
