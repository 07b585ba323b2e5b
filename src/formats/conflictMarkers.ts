// What a Git conflict marker line looks like, at any marker size (criss-cross inner merges
// use 9 and more, `conflict-marker-size` any), with or without a label, LF or CRLF.

export const MARKER_LINE = /^(?:<{7,}|>{7,}|\|{7,})(?: |\r?$)|^={7,}\r?$/m;

/** The first line that looks like a conflict marker, or null; found without splitting the text. */
export function firstMarkerLine(text: string): { line: number; text: string } | null {
  const m = MARKER_LINE.exec(text);
  if (m === null) return null;
  let line = 1;
  for (let i = text.indexOf("\n"); i !== -1 && i < m.index; i = text.indexOf("\n", i + 1)) line++;
  const end = text.indexOf("\n", m.index);
  return { line, text: text.slice(m.index, end === -1 ? undefined : end).replace(/\r$/, "") };
}
