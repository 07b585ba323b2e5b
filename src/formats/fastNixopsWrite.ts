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

/** Deployment values whose every leaf is a string (what this writer spells), and no hunk. */
function plainDeployment(v: Merged): v is JsonObject {
  if (!(v instanceof Map)) return false;
  for (const [key, attr] of v) {
    if (key === "resources" && attr instanceof Map) {
      for (const record of attr.values()) {
        if (record instanceof LazyRecord && record.pristine) continue;
        if (!(record instanceof Map)) return false;
        for (const x of record.values()) if (typeof x !== "string" && !(x instanceof Embedded)) return false;
      }
    } else if (typeof attr !== "string" && !(attr instanceof Embedded)) return false;
  }
  return true;
}

const scalar = (v: unknown) => pythonString(v instanceof Embedded ? v.text : (v as string));

/** The output as bytes: records shared by all inputs are copied from ours' bytes as they are. */
class Output {
  private buf: Buffer;
  private pos = 0;
  private pending = "";

  constructor(
    private readonly separator: string,
    sizeHint: number,
  ) {
    this.buf = Buffer.allocUnsafe(Math.max(sizeHint, 1 << 16));
  }

  private room(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    const bigger = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.pos + n));
    this.buf.copy(bigger, 0, 0, this.pos);
    this.buf = bigger;
  }

  private flush(): void {
    if (this.pending === "") return;
    const s = this.pending;
    this.pending = "";
    this.room(Buffer.byteLength(s));
    this.pos += this.buf.write(s, this.pos, "utf8");
  }

  text(s: string): void {
    this.pending += s;
    if (this.pending.length > 4096) this.flush();
  }

  bytes(source: Buffer, start: number, end: number): void {
    this.flush();
    this.room(end - start);
    this.pos += source.copy(this.buf, this.pos, start, end);
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

  deployment(d: JsonObject): void {
    this.object(d, "  ", (attr) => {
      if (!(attr instanceof Map)) return this.text(scalar(attr));
      this.object(attr, "    ", (record) => {
        if (record instanceof LazyRecord && record.pristine) return this.bytes(record.source, record.start, record.end);
        this.object(record as JsonObject, "      ", (x) => this.text(scalar(x)));
      });
    });
  }

  done(): string {
    this.flush();
    return this.buf.toString("utf8", 0, this.pos);
  }
}

/** renderDocument's text for a merged NixOps state, quicker where nothing conflicts. */
export function writeNixops(merged: Merged, layout: Layout, markers: Markers, sizeHint = 0): string {
  if (!(merged instanceof Map) || merged.size === 0 || layout.newline !== "\n") return renderDocument(merged, layout, markers);
  for (const v of merged.values()) if (v instanceof Hunk) return renderDocument(merged, layout, markers);
  const out = new Output(layout.itemSeparator, sizeHint);
  out.text("{\n");
  out.entries(merged, "  ", (d) => {
    if (plainDeployment(d as Merged)) return out.deployment(d as JsonObject);
    // Hunks inside: the deployment as renderDocument writes it alone, without the outer braces.
    const alone = renderDocument(new Map([["", d as Merged]]), layout, markers);
    out.text(alone.slice(alone.indexOf(": ") + 2, alone.length - 3));
  });
  out.text("}\n");
  return out.done();
}
