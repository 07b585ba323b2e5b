// Embedded JSON that must be re-encoded keeps ours' key order at every level, theirs' new keys
// after ours' (docs/merge-rules.md, Embedded JSON), whatever order theirs wrote its records in.

import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { Embedded, type JsonObject, type JsonValue } from "../../src/core/values";
import { mergeDocuments } from "../../src/core/mergeValues";
import { pickSide } from "../../src/core/merged";
import { pythonDumps } from "../../src/formats/pythonJson";
import { parseJson } from "../../src/formats/parseJson";
import { profileNamed } from "../../src/profiles/table";

const policy = profileNamed("nixops").policy;
const names = fc.uniqueArray(fc.constantFrom("path", "name", "text", "user", "group", "permissions", "destDir", "keyFile"), { minLength: 2, maxLength: 8 });

/** A `keys` blob: entries of records with string fields. */
const blob = fc.uniqueArray(fc.constantFrom("app-env", "db-env", "tls", "vault"), { minLength: 1, maxLength: 4 }).chain((entries) =>
  fc.tuple(...entries.map((e) => names.map((fields) => [e, new Map(fields.map((f) => [f, `${e}-${f}`]))] as const))).map((pairs) => new Map(pairs) as JsonObject),
);

const shuffled = (o: JsonObject, seed: number): JsonObject => {
  const entries = [...o];
  entries.sort(([a], [b]) => ((a.length * 31 + seed) % 7) - ((b.length * 31 + seed) % 7) || (a < b ? 1 : -1));
  return new Map(entries.map(([k, v]) => [k, v instanceof Map ? shuffled(v, seed + 1) : v]));
};

const doc = (keys: JsonObject): JsonObject => new Map([["d", new Map<string, JsonValue>([["keys", new Embedded(pythonDumps(keys), keys)]])]]);

function keyOrders(v: JsonValue, out: string[][] = []): string[][] {
  if (v instanceof Map) {
    out.push([...v.keys()]);
    for (const x of v.values()) keyOrders(x, out);
  }
  return out;
}

describe("embedded JSON re-encoded in ours' key order", () => {
  it("an inner record only theirs changed (and re-ordered) follows ours' order in the written text", () => {
    fc.assert(
      fc.property(blob, fc.nat(5), (base, seed) => {
        const first = [...base.keys()][0];
        // Theirs re-orders everything and changes one field of the first entry; ours adds an entry.
        const theirs = shuffled(base, seed);
        const changed = new Map(theirs.get(first) as JsonObject);
        changed.set([...changed.keys()][0], "changed by theirs");
        theirs.set(first, changed);
        const ours = new Map(base);
        ours.set("added-by-ours", new Map([["text", "x"]]));
        const out = mergeDocuments(doc(base), doc(ours), doc(theirs), policy);
        expect(out.conflicts).toEqual([]);
        const merged = pickSide(out.merged, "ours") as JsonObject;
        const written = ((merged.get("d") as JsonObject).get("keys") as Embedded).text;
        const value = parseJson(written).value;
        // Every object in the written text lists ours' keys in ours' order.
        const expected = keyOrders(ours);
        expect(keyOrders(value).map((keys, i) => keys.filter((k) => expected[i]?.includes(k)))).toEqual(expected.map((keys, i) => keys.filter((k) => keyOrders(value)[i]?.includes(k))));
      }),
      { numRuns: 200 },
    );
  });
});
