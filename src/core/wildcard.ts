// One name against a glob where "*" is any run of characters (and, when asked, "?" is any one
// character). No regular expression: a pattern from a committed file must not make a merge
// backtrack for minutes, so this runs in O(len(glob) * len(name)) at worst.

const STAR = 42; // "*"
const QUESTION = 63; // "?"

export function matchesWildcard(name: string, glob: string, questionMark: boolean): boolean {
  let n = 0;
  let g = 0;
  // The last "*" seen, and where in the name its run currently ends: on a mismatch it grows by
  // one. Earlier stars never need to grow again, since the last one can take up anything.
  let star = -1;
  let starEnd = 0;
  while (n < name.length) {
    const c = g < glob.length ? glob.charCodeAt(g) : -1;
    if (c === STAR) {
      star = g++;
      starEnd = n;
    } else if (c !== -1 && (c === name.charCodeAt(n) || (questionMark && c === QUESTION))) {
      g++;
      n++;
    } else if (star >= 0) {
      g = star + 1;
      n = ++starEnd;
    } else return false;
  }
  while (g < glob.length && glob.charCodeAt(g) === STAR) g++;
  return g === glob.length;
}
