// Line numbers for the keys and array elements of a parsed file, from the spans parseJson
// gives every object and array: a policy mistake is reported at the line it is on. Each
// object's keys are read once into an index, so looking up every key of a file is linear.

import type { JsonValue } from "../core/values";

export class SourceLines {
  private readonly lineStarts: number[] = [0];
  // Maps, not WeakMaps: they live as long as one read, and weak tables cost every GC dearly.
  private readonly members = new Map<object, number[]>();
  private readonly keyOffsets = new Map<object, Map<string, number[]>>();

  constructor(
    private readonly text: string,
    private readonly spans: WeakMap<object, [number, number]>,
  ) {
    for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) === 10) this.lineStarts.push(i + 1);
  }

  /** 1-based line of an offset. */
  lineAt(offset: number): number {
    let lo = 0;
    let hi = this.lineStarts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.lineStarts[mid] <= offset) lo = mid;
      else hi = mid - 1;
    }
    return lo + 1;
  }

  /** Line where an object or array starts (line 1 when unknown). */
  ofNode(node: object): number {
    const span = this.spans.get(node);
    return span ? this.lineAt(span[0]) : 1;
  }

  /** Line of a key in an object; `occurrence` counts repeated keys from 0. */
  ofKey(obj: Map<string, JsonValue>, key: string, occurrence = 0): number {
    const offset = this.keysOf(obj).get(key)?.[occurrence];
    return offset === undefined ? this.ofNode(obj) : this.lineAt(offset);
  }

  /** Line of an array element. */
  ofElement(arr: JsonValue[], index: number): number {
    const offset = this.memberOffsets(arr)[index];
    return offset === undefined ? this.ofNode(arr) : this.lineAt(offset);
  }

  /** Where each key of an object is written, in order (a repeated key has several). */
  private keysOf(obj: object): Map<string, number[]> {
    let index = this.keyOffsets.get(obj);
    if (index) return index;
    index = new Map();
    for (const offset of this.memberOffsets(obj)) {
      const key = this.keyAt(offset);
      if (key === null) continue;
      const offsets = index.get(key);
      if (offsets) offsets.push(offset);
      else index.set(key, [offset]);
    }
    this.keyOffsets.set(obj, index);
    return index;
  }

  private keyAt(offset: number): string | null {
    try {
      return JSON.parse(this.text.slice(offset, endOfString(this.text, offset) + 1)) as string;
    } catch {
      return null;
    }
  }

  /** Offsets of each member's first character (an object's keys, an array's elements). */
  private memberOffsets(node: object): number[] {
    const known = this.members.get(node);
    if (known) return known;
    const span = this.spans.get(node);
    const offsets: number[] = [];
    if (span) {
      const t = this.text;
      let depth = 0;
      let expecting = true;
      for (let p = span[0] + 1; p < span[1]; p++) {
        const c = t[p];
        if (c === " " || c === "\t" || c === "\r" || c === "\n") continue;
        if (depth === 0 && (c === "}" || c === "]")) break;
        if (depth === 0 && expecting) {
          offsets.push(p);
          expecting = false;
        }
        if (c === '"') p = endOfString(t, p);
        else if (c === "{" || c === "[") depth++;
        else if (c === "}" || c === "]") depth--;
        else if (c === "," && depth === 0) expecting = true;
      }
    }
    this.members.set(node, offsets);
    return offsets;
  }
}

/** Offset of the quote that closes the string opening at `start`. */
function endOfString(text: string, start: number): number {
  let i = start + 1;
  while (i < text.length && text[i] !== '"') i += text[i] === "\\" ? 2 : 1;
  return i;
}
