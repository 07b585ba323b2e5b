// An input as a Buffer over the same memory: the readers that cut files by their bytes take
// text (as UTF-8) or any Uint8Array, never copying one that is already bytes.

export function inputBytes(data: Uint8Array | string): Buffer {
  if (typeof data === "string") return Buffer.from(data, "utf8");
  return Buffer.isBuffer(data) ? data : Buffer.from(data.buffer, data.byteOffset, data.byteLength);
}
