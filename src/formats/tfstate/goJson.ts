// Go's encoding/json spelling of strings, as Terraform and OpenTofu write them: `<`, `>`, `&`,
// U+2028 and U+2029 as \u003c ... \u2029; `"` and `\` escaped; \n \r \t short; other control
// characters as \u00XX (lower-case hex); every other character raw, even non-ASCII. Go 1.22
// and later write \b and \f; older Go wrote \u0008 and \u000c (Terraform before 1.8).
// A lone surrogate (only a "\ud800" escape in the input makes one) is what Go's decoder reads
// as U+FFFD, and then writes raw.

const HEX = "0123456789abcdef";

export interface GoEscaping {
  /** \b and \f (Go 1.22+) rather than \u0008 and \u000c. */
  shortControlEscapes: boolean;
}

export const MODERN_GO: GoEscaping = { shortControlEscapes: true };

function controlEscape(code: number, escaping: GoEscaping): string {
  switch (code) {
    case 0x0a:
      return "\\n";
    case 0x0d:
      return "\\r";
    case 0x09:
      return "\\t";
    case 0x08:
      return escaping.shortControlEscapes ? "\\b" : "\\u0008";
    case 0x0c:
      return escaping.shortControlEscapes ? "\\f" : "\\u000c";
    default:
      return "\\u00" + HEX[code >> 4] + HEX[code & 0xf];
  }
}

// Characters that are never raw: controls, `"`, `\`, `<`, `>`, `&`, line/paragraph separators, surrogates.
const NEEDS_ESCAPE = /[\u0000-\u001f"\\<>&\u2028\u2029\ud800-\udfff]/;

/** A string as Go's json.Marshal writes it (HTML escaping on, as the state writers use it). */
export function goQuote(text: string, escaping: GoEscaping = MODERN_GO): string {
  if (!NEEDS_ESCAPE.test(text)) return '"' + text + '"';
  let out = '"';
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    let escaped: string | null = null;
    if (code < 0x20) escaped = controlEscape(code, escaping);
    else if (code === 0x22) escaped = '\\"';
    else if (code === 0x5c) escaped = "\\\\";
    else if (code === 0x3c || code === 0x3e || code === 0x26) escaped = "\\u00" + HEX[code >> 4] + HEX[code & 0xf];
    else if (code === 0x2028 || code === 0x2029) escaped = "\\u202" + HEX[code & 0xf];
    else if (code >= 0xd800 && code <= 0xdfff) {
      const next = text.charCodeAt(i + 1);
      if (code <= 0xdbff && next >= 0xdc00 && next <= 0xdfff) {
        i++; // a valid pair: one raw character
        continue;
      }
      escaped = "\ufffd";
    }
    if (escaped === null) continue;
    out += text.slice(start, i) + escaped;
    start = i + 1;
  }
  return out + text.slice(start) + '"';
}

/**
 * Go's string order (`<` on strings): by UTF-8 bytes, which is code point order. JavaScript's
 * `<` compares UTF-16 units, which differs for characters above U+FFFF against U+E000-U+FFFF.
 */
export function compareGoStrings(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x === y) continue;
    // A surrogate (a character above U+FFFF) sorts after every other unit from U+E000 up.
    const rank = (c: number) => (c >= 0xd800 && c <= 0xdfff ? c + 0x2000 : c >= 0xe000 ? c - 0x800 : c);
    return rank(x) - rank(y);
  }
  return a.length - b.length;
}

/** Which control escapes a Go-written text uses, if it shows any (\b, \f against \u0008, \u000c). */
export function detectGoEscaping(text: string): GoEscaping | null {
  for (let i = text.indexOf("\\"); i !== -1 && i < text.length; i = text.indexOf("\\", i)) {
    const next = text[i + 1];
    if (next === "b" || next === "f") return { shortControlEscapes: true };
    if (next === "u") {
      const hex = text.slice(i + 2, i + 6).toLowerCase();
      if (hex === "0008" || hex === "000c") return { shortControlEscapes: false };
      i += 6;
    } else {
      i += 2;
    }
  }
  return null;
}
