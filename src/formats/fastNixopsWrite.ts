// Writing a merged NixOps state quickly: every deployment without a conflict inside is written
// here, straight to text (records shared by all three inputs as their own bytes); a deployment
// holding conflict hunks, and any state with a conflict at the top, goes through
// renderDocument. The text is the one renderDocument gives for the whole state: a deployment's
// lines depend only on its own value and on whether a comma follows it, as long as no hunk
// stands at the top level beside it.

import { Embedded, type JsonObject } from "../core/values";
import { Hunk, type Merged } from "../core/merged";
import { pythonString } from "./pythonJson";
import { renderDocument, type Layout, type Markers } from "./renderDocument";
import { LazyRecord } from "./fastRecord";

const byKey = ([a]: [string, unknown], [b]: [string, unknown]) => (a < b ? -1 : a > b ? 1 : 0);

/**
 * Deployments this writer spells itself: attributes that are strings, and a `resources` object
 * of records (no hunk in place of a whole record). A record whose values are not all strings
 * (a hunk inside, say) is written by renderDocument alone (see `recordAlone`).
 */
function ownDeployment(v: Merged): v is JsonObject {
  if (!(v instanceof Map)) return false;
  for (const [key, attr] of v) {
    if (key === "resources" && attr instanceof Map) {
      for (const record of attr.values()) if (!(record instanceof Map)) return false;
    } else if (typeof attr !== "string" && !(attr instanceof Embedded)) return false;
  }
  return true;
}

/** A record whose values are all strings (what `Output.deployment` spells itself). */
function plainRecord(record: Map<string, unknown>): boolean {
  if (record instanceof LazyRecord && record.pristine) return true;
  for (const x of record.values()) if (typeof x !== "string" && !(x instanceof Embedded)) return false;
  return true;
}

/** What renderDocument writes around a value at resource depth, nested under keys "". */
const ALONE_HEAD = '{\n  "": {\n    "": {\n      "": ';
const ALONE_TAIL = "\n    }\n  }\n}\n";

/**
 * A record's text at resource depth, "{" to "}", as renderDocument writes it inside a whole
 * state. An entry's lines depend only on its value and depth, and on the comma after it, which
 * the caller writes; so the record is rendered alone at the same depth and cut out.
 */
function recordAlone(record: Merged, layout: Layout, markers: Markers): string | null {
  const nested = new Map([["", new Map([["", new Map([["", record]])]])]]) as Merged;
  const text = renderDocument(nested, layout, markers);
  if (!text.startsWith(ALONE_HEAD) || !text.endsWith(ALONE_TAIL)) return null;
  return text.slice(ALONE_HEAD.length, text.length - ALONE_TAIL.length);
}

const scalar = (v: unknown) => pythonString(v instanceof Embedded ? v.text : (v as string));

/**
 * The output as a list of byte chunks: written text, and records shared by all inputs as views
 * of ours' bytes (never copied; the driver hands the list to one writev).
 */
class Output {
  private readonly chunks: Buffer[] = [];
  private pending = "";

  constructor(private readonly separator: string) {}

  private flush(): void {
    if (this.pending === "") return;
    this.chunks.push(Buffer.from(this.pending, "utf8"));
    this.pending = "";
  }

  text(s: string): void {
    this.pending += s;
    if (this.pending.length > 1 << 16) this.flush();
  }

  bytes(source: Buffer, start: number, end: number): void {
    this.flush();
    this.chunks.push(source.subarray(start, end));
  }

  /** Entries at `pad`, each through `value`, with separators between them. */
  entries(map: Map<string, unknown>, pad: string, value: (v: unknown) => void): void {
    const sorted = [...map].sort(byKey);
    for (let i = 0; i < sorted.length; i++) {
      this.text(pad + pythonString(sorted[i][0]) + ": ");
      value(sorted[i][1]);
      this.text(i < sorted.length - 1 ? this.separator + "\n" : "\n");
    }
  }

  object(map: Map<string, unknown>, pad: string, value: (v: unknown) => void): void {
    if (map.size === 0) return this.text("{}");
    this.text("{\n");
    this.entries(map, pad + "  ", value);
    this.text(pad + "}");
  }

  /** A deployment `ownDeployment` accepts; `alone` writes a record holding more than strings. */
  deployment(d: JsonObject, alone: (record: JsonObject) => string): void {
    this.object(d, "  ", (attr) => {
      if (!(attr instanceof Map)) return this.text(scalar(attr));
      this.object(attr, "    ", (record) => {
        if (record instanceof LazyRecord && record.pristine) return this.bytes(record.source, record.start, record.end);
        if (!plainRecord(record as JsonObject)) return this.text(alone(record as JsonObject));
        this.object(record as JsonObject, "      ", (x) => this.text(scalar(x)));
      });
    });
  }

  /** The bytes written (UTF-8), in order. */
  done(): Buffer[] {
    this.flush();
    return this.chunks;
  }
}

class Whole extends Error {}

/**
 * renderDocument's text for a merged NixOps state, quicker where nothing conflicts: as chunks
 * of UTF-8 bytes when written here (a 50 MB state is never turned into a string and back).
 */
export function writeNixops(merged: Merged, layout: Layout, markers: Markers): string | Buffer[] {
  if (!(merged instanceof Map) || merged.size === 0 || layout.newline !== "\n") return renderDocument(merged, layout, markers);
  for (const v of merged.values()) if (v instanceof Hunk) return renderDocument(merged, layout, markers);
  const out = new Output(layout.itemSeparator);
  const alone = (record: JsonObject) => {
    const text = recordAlone(record, layout, markers);
    if (text === null) throw new Whole();
    return text;
  };
  try {
    writeState(out, merged, layout, markers, alone);
  } catch (e) {
    // Never expected: renderDocument wrote a lone record unlike the usual way.
    if (e instanceof Whole) return renderDocument(merged, layout, markers);
    throw e;
  }
  return out.done();
}

function writeState(out: Output, merged: Map<string, Merged>, layout: Layout, markers: Markers, alone: (record: JsonObject) => string): void {
  out.text("{\n");
  out.entries(merged, "  ", (d) => {
    if (ownDeployment(d as Merged)) return out.deployment(d as JsonObject, alone);
    // A hunk for a whole record, or an attribute that is not a string: the deployment as
    // renderDocument writes it alone, without the outer braces.
    const text = renderDocument(new Map([["", d as Merged]]), layout, markers);
    out.text(text.slice(text.indexOf(": ") + 2, text.length - 3));
  });
  out.text("}\n");
}
