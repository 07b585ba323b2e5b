// The tfstate codec against what Terraform and OpenTofu really write: every fixture re-written
// byte for byte, Go's escaping rules one by one and against an independent emulation, and the
// writers' order restored from any shuffled input.

import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { JsonNumber, isObject, type JsonObject, type JsonValue } from "../../../src/core/values";
import { parseJson } from "../../../src/formats/parseJson";
import { compareGoStrings, detectGoEscaping, goQuote } from "../../../src/formats/tfstate/goJson";
import { readTfstate, tfstateStyle, writeTfstate } from "../../../src/formats/tfstate/tfstateCodec";
import { ROUNDTRIP_FIXTURES, TFSTATE_FIXTURES, goIndent, goString, tfstateText } from "../../support/tfstate";

function rewrite(text: string): string {
  const value = readTfstate(text).value;
  return writeTfstate(value, tfstateStyle([text], [value], null));
}

describe("fixtures written by Terraform and OpenTofu", () => {
  it("has the eight real files", () => {
    expect(TFSTATE_FIXTURES.length).toBe(8);
  });

  it.each(TFSTATE_FIXTURES)("%s: parse then write gives the same bytes", (name) => {
    const text = tfstateText(name);
    expect(rewrite(text)).toBe(text);
  });

  it.each(TFSTATE_FIXTURES)("%s: the test emulation of Go's encoder agrees (so it can judge merged files)", (name) => {
    const text = tfstateText(name);
    expect(goIndent(parseJson(text).value) + "\n").toBe(text);
  });

  // v4-modules and v4-legacy-modules repeat a key (hand-written): the merge refuses those.
  it.each(ROUNDTRIP_FIXTURES.filter((f) => !/legacy-modules|v4-modules/.test(f)))("%s (hand-written): written in writer order, same value, stable", (name) => {
    const text = tfstateText(name);
    const once = rewrite(text);
    const doc = parseJson(once).value as JsonObject;
    const top = ["version", "terraform_version", "serial", "lineage", "outputs", "resources", "check_results"];
    expect([...doc.keys()].filter((k) => top.includes(k))).toEqual(top.filter((k) => doc.has(k)));
    expect(canonical(doc)).toEqual(canonical(parseJson(text).value));
    expect(rewrite(once)).toBe(once);
  });
});

/** A value with every object's keys sorted, to compare values whatever their order. */
function canonical(v: JsonValue): unknown {
  if (isObject(v)) return Object.fromEntries([...v].sort(([a], [b]) => (a < b ? -1 : 1)).map(([k, x]) => [k, canonical(x)]));
  if (Array.isArray(v)) return v.map(canonical).sort((a, b) => (JSON.stringify(a) < JSON.stringify(b) ? -1 : 1));
  if (v instanceof JsonNumber) return `#${v.text}`;
  return v;
}

/** No lone surrogate (String.prototype.isWellFormed, which this TypeScript lib does not declare). */
const wellFormed = (s: string) => !/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/.test(s);

describe("Go's string escaping", () => {
  it.each([
    ["<a href='x'>&</a>", '"\\u003ca href=\'x\'\\u003e\\u0026\\u003c/a\\u003e"'],
    ["line\u2028para\u2029", '"line\\u2028para\\u2029"'],
    ['quote " backslash \\ slash /', '"quote \\" backslash \\\\ slash /"'],
    ["nl\ncr\rtab\t", '"nl\\ncr\\rtab\\t"'],
    ["bell\u0007 esc\u001b us\u001f nul\u0000", '"bell\\u0007 esc\\u001b us\\u001f nul\\u0000"'],
    ["del\u007f", '"del\u007f"'],
    ["Zürich café 日本 😀 \u0085 \u00a0", '"Zürich café 日本 😀 \u0085 \u00a0"'],
    ["lone \ud800 high, lone \udc00 low", '"lone \ufffd high, lone \ufffd low"'],
  ])("%j", (input, expected) => {
    expect(goQuote(input)).toBe(expected);
  });

  it("Go 1.22 and later write \\b and \\f; older Go wrote \\u0008 and \\u000c", () => {
    expect(goQuote("\b\f", { shortControlEscapes: true })).toBe('"\\b\\f"');
    expect(goQuote("\b\f", { shortControlEscapes: false })).toBe('"\\u0008\\u000c"');
  });

  it("reads which of the two a file uses, not fooled by an escaped backslash", () => {
    expect(detectGoEscaping('{"a": "x\\by"}')).toEqual({ shortControlEscapes: true });
    expect(detectGoEscaping('{"a": "x\\u000Cy"}')).toEqual({ shortControlEscapes: false });
    expect(detectGoEscaping('{"a": "x\\\\by \\u003c"}')).toBeNull();
  });

  it("agrees with JSON.stringify plus Go's five extra escapes on any well-formed string", () => {
    fc.assert(
      fc.property(fc.string({ unit: "binary" }), fc.string({ unit: fc.constantFrom("<", ">", "&", "\u2028", "\u2029", "\b", "\f", "\u007f", "é") }), (a, b) => {
        fc.pre(wellFormed(a + b));
        expect(goQuote(a + b, { shortControlEscapes: true })).toBe(goString(a + b));
      }),
    );
  });

  it("sorts strings by UTF-8 bytes, as Go's < does", () => {
    fc.assert(
      fc.property(fc.string({ unit: "binary" }), fc.string({ unit: "binary" }), (a, b) => {
        fc.pre(wellFormed(a) && wellFormed(b));
        expect(Math.sign(compareGoStrings(a, b))).toBe(Math.sign(Buffer.compare(Buffer.from(a), Buffer.from(b))));
      }),
    );
    expect(compareGoStrings("\uffff", "😀")).toBeLessThan(0);
  });
});

describe("the writers' order", () => {
  /** The same value with every object's keys, and the resources and instances, shuffled. */
  function shuffled(v: JsonValue, rand: () => number, key = ""): JsonValue {
    const mix = <T,>(xs: T[]) => xs.map((x) => [rand(), x] as const).sort((p, q) => p[0] - q[0]).map((p) => p[1]);
    if (isObject(v)) return new Map(mix([...v]).map(([k, x]) => [k, shuffled(x, rand, k)]));
    if (Array.isArray(v)) {
      const items = v.map((x) => shuffled(x, rand));
      // Only record lists have a writer order; lists inside values (and check results) keep theirs.
      return key === "resources" || key === "instances" ? mix(items) : items;
    }
    return v;
  }

  it.each(TFSTATE_FIXTURES)("%s: a shuffled copy is written back as the original bytes", (name) => {
    const text = tfstateText(name);
    const value = parseJson(text).value;
    const style = tfstateStyle([text], [value], null);
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 1 << 30 }), (seed) => {
        let x = seed;
        const rand = () => (x = (x * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff;
        expect(writeTfstate(shuffled(value, rand), style)).toBe(text);
      }),
      { numRuns: 10 },
    );
  });

  it("instances: none first, then numbers by value, then strings; then the deposed key", () => {
    const inst = (key: JsonValue | undefined, deposed?: string) => {
      const m: JsonObject = new Map();
      if (key !== undefined) m.set("index_key", key);
      if (deposed !== undefined) m.set("deposed", deposed);
      m.set("schema_version", new JsonNumber("0"));
      return m;
    };
    const n = (t: string) => new JsonNumber(t);
    const resource: JsonObject = new Map<string, JsonValue>([
      ["mode", "managed"],
      ["type", "t"],
      ["name", "n"],
      ["instances", [inst("b"), inst(n("10")), inst(n("2"), "d2"), inst(n("2")), inst("a"), inst(n("2"), "d1"), inst(undefined)]],
    ]);
    const state: JsonObject = new Map<string, JsonValue>([["version", n("4")], ["resources", [resource]]]);
    const written = parseJson(writeTfstate(state, { escaping: { shortControlEscapes: true }, flavour: "terraform" })).value as JsonObject;
    const instances = ((written.get("resources") as JsonObject[])[0].get("instances") as JsonObject[]).map((i) => {
      const k = i.get("index_key");
      return `${k instanceof JsonNumber ? k.text : String(k)}/${String(i.get("deposed") ?? "")}`;
    });
    expect(instances).toEqual(["undefined/", "2/", "2/d1", "2/d2", "10/", "a/", "b/"]);
  });
});

describe("what the inputs show about their writer", () => {
  const withIdentity = (order: "terraform" | "opentofu") => {
    const text = tfstateText("local-checkresults-identity-tf1.13.4");
    const doc = parseJson(text).value as JsonObject;
    const inst = ((doc.get("resources") as JsonObject[])[0].get("instances") as JsonObject[])[0];
    inst.set("private", "cHJpdmF0ZQ==");
    inst.set("identity", new Map([["id", "x"]]));
    const keys = order === "terraform"
      ? ["schema_version", "attributes", "sensitive_attributes", "identity_schema_version", "identity", "private"]
      : ["schema_version", "attributes", "sensitive_attributes", "private", "identity", "identity_schema_version"];
    const entries = keys.map((k) => [k, inst.get(k) as JsonValue] as const);
    inst.clear();
    for (const [k, v] of entries) inst.set(k, v);
    return goIndent(doc) + "\n";
  };

  it.each(["terraform", "opentofu"] as const)("keeps %s's place for the identity fields", (order) => {
    const text = withIdentity(order);
    expect(rewrite(text)).toBe(text);
  });

  it("keeps the old Go spelling of \\b and \\f when the file uses it, the new one otherwise", () => {
    const doc = parseJson(tfstateText("sensitive-output-tf1.4.6")).value as JsonObject;
    (doc.get("outputs") as JsonObject).set("zz_bell", new Map<string, JsonValue>([["value", "a\bb\fc"], ["type", "string"]]));
    const old = goIndent(doc).replace("a\\bb\\fc", "a\\u0008b\\u000cc") + "\n";
    expect(rewrite(old)).toBe(old);
    const modern = goIndent(doc) + "\n";
    expect(rewrite(modern)).toBe(modern);
    // No control character to show it: Terraform 1.4.6 was built with a Go before 1.22.
    expect(tfstateStyle(["{}"], [doc], "1.4.6").escaping.shortControlEscapes).toBe(false);
    expect(tfstateStyle(["{}"], [doc], "1.8.0").escaping.shortControlEscapes).toBe(true);
  });
});
