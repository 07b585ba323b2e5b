// Bytes as text only when they are UTF-8: a lossy decode turns a stray Latin-1 byte into U+FFFD,
// and a command that writes the text back (fmt, check --fix) would destroy it.

import { lineAndColumn } from "./parseJson";

/** Where the first byte that is not UTF-8 stands, or null when every byte is. */
export function firstInvalidUtf8(data: Uint8Array): { offset: number; line: number; column: number } | null {
  const buf = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  const text = buf.toString("utf8");
  if (!text.includes("\ufffd")) return null;
  // A valid prefix encodes back to the same bytes: the first byte that differs is the bad one.
  const again = Buffer.from(text, "utf8");
  let offset = 0;
  while (offset < buf.length && buf[offset] === again[offset]) offset++;
  if (offset === buf.length) return null; // U+FFFD written as such (EF BF BD) is valid text
  // The bytes before it are valid: their text gives the line and the column, as JSON errors do.
  const before = buf.toString("utf8", 0, offset);
  return { offset, ...lineAndColumn(before, before.length) };
}
