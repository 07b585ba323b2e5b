// Bytes as text only when they are UTF-8: a lossy decode turns a stray Latin-1 byte into U+FFFD,
// and a command that writes the text back (fmt, check --fix) would destroy it.

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
  const lineStart = buf.lastIndexOf(0x0a, offset - 1) + 1;
  let line = 1;
  for (let i = buf.indexOf(0x0a); i !== -1 && i < offset; i = buf.indexOf(0x0a, i + 1)) line++;
  return { offset, line, column: Buffer.from(buf.subarray(lineStart, offset)).toString("utf8").length + 1 };
}
