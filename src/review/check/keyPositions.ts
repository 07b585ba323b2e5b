// Where each key of a (valid) JSON text is written, by path: the offsets of its opening quote,
// every occurrence in order. Messages use it to name a line and column for a place the
// parser reported only by path (a duplicate key, a non-string value).

import { pathKey } from "../../core/policy";
import type { Path } from "../../core/values";
import { lineAndColumn } from "../../formats/parseJson";

interface Frame {
  object: boolean;
  path: string[];
  key: string | null;
  index: number;
}

export function keyPositions(text: string): Map<string, number[]> {
  const out = new Map<string, number[]>();
  const stack: Frame[] = [];
  let expectKey = false;
  const childPath = (): string[] => {
    const top = stack[stack.length - 1];
    if (!top) return [];
    return [...top.path, top.object ? (top.key ?? "") : String(top.index)];
  };
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '"') {
      const start = i;
      for (i++; i < text.length && text[i] !== '"'; i++) if (text[i] === "\\") i++;
      const top = stack[stack.length - 1];
      if (top?.object && expectKey) {
        const key = JSON.parse(text.slice(start, i + 1)) as string;
        top.key = key;
        const k = pathKey([...top.path, key]);
        if (!out.has(k)) out.set(k, []);
        out.get(k)!.push(start);
        expectKey = false;
      }
    } else if (c === "{" || c === "[") {
      stack.push({ object: c === "{", path: childPath(), key: null, index: 0 });
      expectKey = c === "{";
    } else if (c === "}" || c === "]") {
      stack.pop();
      expectKey = false;
    } else if (c === ",") {
      const top = stack[stack.length - 1];
      if (top?.object) expectKey = true;
      else if (top) top.index++;
    }
  }
  return out;
}

/** The offset where the key at `path` is written (its `occurrence`-th time, 0-based; default the last). */
export function keyOffset(positions: Map<string, number[]>, path: Path, occurrence?: number): number | null {
  const all = positions.get(pathKey(path));
  if (!all || all.length === 0) return null;
  return all[occurrence ?? all.length - 1] ?? all[all.length - 1];
}

/**
 * The place to name for a key written twice (its second writing) and what to say: `key` as the
 * profile shows it (a secret place's key hashed). Messages of check, diff, textconv and log.
 */
export function duplicateKeyAt(text: string, path: Path, count: number, key: string, positions: Map<string, number[]> = keyPositions(text)): { line: number; column: number; reason: string } {
  const { line, column } = lineAndColumn(text, keyOffset(positions, path, 1) ?? 0);
  return { line, column, reason: `key ${JSON.stringify(key)} is written ${count} times in the same object (readers keep only the last)` };
}
