// A UTF-8 byte-order mark some editors put at the start of a file. JSON parsers (ours,
// Python's json, `nixops import`) refuse it, so readers drop it before parsing.

export function stripBom(text: string): string {
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}
