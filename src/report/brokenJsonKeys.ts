// The key paths written in text that starts like JSON but does not parse (a `keys` blob cut
// short by a hand edit): read as far as the text goes, so that the redaction can tell whether
// a secret may sit in it. It never fails: anything it cannot read ends no path.

interface Frame {
  kind: "object" | "array";
  /** The last key written in this object; the element count in this array. */
  key: string | null;
  index: number;
}

/** The text starts like a JSON object or array (what embedded JSON looks like). */
export function looksLikeJson(text: string): boolean {
  const first = text.trimStart().charCodeAt(0);
  return first === 123 || first === 91; // "{" or "["
}

/** Every key path in the text, in order: ["app-env", "text"] for {"app-env": {"text": ... */
export function keyPathsIn(text: string): string[][] {
  const paths: string[][] = [];
  const stack: Frame[] = [];
  const here = () => stack.slice(0, -1).map((f) => (f.kind === "object" ? (f.key ?? "") : String(f.index)));
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === "{" || c === "[") stack.push({ kind: c === "{" ? "object" : "array", key: null, index: 0 });
    else if (c === "}" || c === "]") stack.pop();
    else if (c === ",") {
      const top = stack[stack.length - 1];
      if (top?.kind === "array") top.index++;
    } else if (c === '"') {
      const end = stringEnd(text, i);
      const top = stack[stack.length - 1];
      let after = end;
      while (after < text.length && /\s/.test(text[after])) after++;
      if (top?.kind === "object" && text[after] === ":") {
        top.key = unquote(text.slice(i, end));
        paths.push([...here(), top.key]);
      }
      i = end - 1;
    }
  }
  return paths;
}

/** The index after a string's closing quote (the text's end when it has none). */
function stringEnd(text: string, open: number): number {
  for (let i = open + 1; i < text.length; i++) {
    if (text[i] === "\\") i++;
    else if (text[i] === '"') return i + 1;
  }
  return text.length;
}

function unquote(token: string): string {
  try {
    return JSON.parse(token) as string;
  } catch {
    return token.slice(1, token.endsWith('"') ? -1 : undefined);
  }
}
