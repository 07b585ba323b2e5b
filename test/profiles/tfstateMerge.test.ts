// The Terraform state rules, case by case, through the pipeline the driver uses: records by
// address, instances taken whole when both sides changed them differently, lineage refusal,
// the serial rule, the run values, old and encrypted states, secrets in every output.

import { describe, expect, it } from "vitest";
import { JsonNumber, type JsonObject } from "../../src/core/values";
import { parseJson } from "../../src/formats/parseJson";
import { mergeTexts, type MergeResult } from "../../src/pipeline/mergeTexts";
import { reportJson } from "../../src/report/mergeReport";
import { conflictLine } from "../../src/report/mergeReport";
import { pickFromMarkers } from "../support/arbitraries";
import { TfState, obj } from "../support/tfstate";

const markers = { size: 7, ours: "HEAD", base: "base", theirs: "feature", style: "merge" as const };

function merge(base: TfState | string | null, ours: TfState | string, theirs: TfState | string): MergeResult {
  const text = (s: TfState | string | null) => (s === null ? "" : typeof s === "string" ? s : s.text());
  return mergeTexts({ base: text(base), ours: text(ours), theirs: text(theirs) }, { markers });
}

function merged(r: MergeResult): Extract<MergeResult, { kind: "merged" }> {
  if (r.kind !== "merged") throw new Error(`fell back: ${r.reason}`);
  return r;
}

function clean(r: MergeResult): string {
  const m = merged(r);
  expect(m.conflicts.map((c) => c.path)).toEqual([]);
  expect(m.profile.name).toBe("tfstate");
  return m.text;
}

const base = () => TfState.fixture("aws-modules-count-tf1.4.6");

describe("two applies on different records", () => {
  it("merges resources added, removed and changed on each side; the serial is one more than both", () => {
    const o = base().applied().setAttribute("module.vpc.aws_eip.nat", 1, "public_ipv4_pool", "t3.large");
    o.addResource(null, "managed", "null_resource", "ours_only", [{ key: null, attributes: { id: "111", triggers: null } }]);
    const t = base().applied().applied().removeResource("module.vpc.aws_subnet.private");
    t.addResource("module.new", "managed", "null_resource", "theirs_only", [{ key: 0, attributes: { id: "222", triggers: null } }]);
    const expected = base().setAttribute("module.vpc.aws_eip.nat", 1, "public_ipv4_pool", "t3.large").removeResource("module.vpc.aws_subnet.private");
    expected.addResource(null, "managed", "null_resource", "ours_only", [{ key: null, attributes: { id: "111", triggers: null } }]);
    expected.addResource("module.new", "managed", "null_resource", "theirs_only", [{ key: 0, attributes: { id: "222", triggers: null } }]);
    expected.set("serial", new JsonNumber(String(base().serial + 3n)));
    expect(clean(merge(base(), o, t))).toBe(expected.text());
  });

  it("one side unchanged: the result is the other side, byte for byte, with its serial", () => {
    const a = base().applied().setAttribute("module.vpc.aws_eip.nat", 1, "tags", obj({ Env: "prod" }));
    expect(clean(merge(base(), a, base()))).toBe(a.text());
    expect(clean(merge(base(), base(), a))).toBe(a.text());
  });

  it("one apply on each branch (a tie) and the result is one side's state: one more than both, so push takes it over the other", () => {
    // Theirs' apply only rewrote check_results, which ours' apply rewrote too (ours kept, as on
    // a tie); ours also changed an attribute. The result is ours' state, not theirs'.
    const checks = (status: string) => [obj({ object_kind: "var", config_addr: "var.x", status, objects: null })];
    const o = TfState.small().applied().set("check_results", checks("pass")).setAttribute("null_resource.a", null, "triggers", obj({ k: "o" }));
    const t = TfState.small().applied().set("check_results", checks("fail"));
    expect(o.serial).toBe(t.serial);
    for (const [ours, theirs] of [[o, t], [t, o]]) {
      const doc = parseJson(clean(merge(TfState.small(), ours, theirs))).value as JsonObject;
      expect((doc.get("serial") as JsonNumber).text).toBe(String(o.serial + 1n));
    }
    // The control: both applies made the same state: that state, its serial kept.
    expect(clean(merge(TfState.small(), o, o.clone()))).toBe(o.text());
  });

  it("both made the same change with different serials: that state, with the larger serial", () => {
    const a = base().applied().setAttribute("module.vpc.aws_eip.nat", 1, "public_ipv4_pool", "t3.large");
    const b = a.clone().applied();
    expect(clean(merge(base(), a, b))).toBe(b.text());
    expect(clean(merge(base(), b, a))).toBe(b.text());
  });
});

describe("one instance changed on both sides", () => {
  it("different attributes of the same object: merged attribute by attribute", () => {
    const o = base().applied().setAttribute("module.vpc.aws_eip.nat", 1, "public_ipv4_pool", "t3.large");
    const t = base().applied().setAttribute("module.vpc.aws_eip.nat", 1, "network_border_group", "eu-west-1b");
    const expected = base().setAttribute("module.vpc.aws_eip.nat", 1, "public_ipv4_pool", "t3.large").setAttribute("module.vpc.aws_eip.nat", 1, "network_border_group", "eu-west-1b");
    expected.set("serial", new JsonNumber(String(base().serial + 2n)));
    expect(clean(merge(base(), o, t))).toBe(expected.text());
  });

  it("the same attribute differently: one conflict over the whole instance; each side taken gives that side's instance", () => {
    const o = base().applied().setAttribute("module.vpc.aws_eip.nat", 1, "public_ipv4_pool", "t3.large");
    const t = base().applied().setAttribute("module.vpc.aws_eip.nat", 1, "public_ipv4_pool", "t3.small");
    const r = merged(merge(base(), o, t));
    expect(r.conflicts.map((c) => [r.profile.describePath(c.path, r.documents), c.kind])).toEqual([["resource module.vpc.aws_eip.nat[1]", "modify/modify"]]);
    for (const [side, state] of [["ours", o], ["theirs", t]] as const) {
      const taken = parseJson(pickFromMarkers(r.text, side)).value;
      const want = state.clone().set("serial", new JsonNumber(String(base().serial + 2n)));
      expect(pickFromMarkers(r.text, side)).toBe(want.text());
      expect(taken).toBeInstanceOf(Map);
    }
  });

  it("replaced on one side (a new id), refreshed on the other: never stitched", () => {
    const o = base().applied().replace("module.vpc.aws_eip.nat", 1, "eipalloc-new", "public_ip", "203.0.113.9");
    const t = base().applied().setAttribute("module.vpc.aws_eip.nat", 1, "tags", obj({ Env: "dev" }));
    const r = merged(merge(base(), o, t));
    expect(r.conflicts.map((c) => c.kind)).toEqual(["identity"]);
    expect(conflictLine(r.conflicts[0], r.profile, r.documents)).toMatch(/^CONFLICT \(identity, re-created .*\) in resource module\.vpc\.aws_eip\.nat\[1\]/);
  });

  it("private changed on both sides differently: one conflict", () => {
    const o = base().applied();
    o.instance("module.vpc.aws_eip.nat", 1).set("private", "b3Vycw==");
    const t = base().applied();
    t.instance("module.vpc.aws_eip.nat", 1).set("private", "dGhlaXJz");
    const r = merged(merge(base(), o, t));
    expect(r.conflicts.map((c) => [r.profile.describePath(c.path, r.documents), c.kind])).toEqual([["resource module.vpc.aws_eip.nat[1]", "modify/modify"]]);
  });

  it("deleted on one side, changed on the other: a conflict", () => {
    const o = base().applied().removeInstance("module.vpc.aws_eip.nat", 1);
    const t = base().applied().setAttribute("module.vpc.aws_eip.nat", 1, "public_ipv4_pool", "t3.small");
    const r = merged(merge(base(), o, t));
    expect(r.conflicts.map((c) => c.kind)).toEqual(["delete/modify"]);
    expect(() => parseJson(pickFromMarkers(r.text, "ours"))).not.toThrow();
    expect(() => parseJson(pickFromMarkers(r.text, "theirs"))).not.toThrow();
  });
});

describe("deposed objects (create_before_destroy)", () => {
  it("a deposed object is its own instance: added on one side, the current object changed on the other", () => {
    const b = () => TfState.small("l", ["a"]);
    const fields = ["deposed", "schema_version", "attributes", "sensitive_attributes"];
    const deposed = (s: TfState) => {
      const old = new Map(s.instance("null_resource.a"));
      old.set("deposed", "00c0ffee");
      const entries = [...old].sort(([x], [y]) => fields.indexOf(x) - fields.indexOf(y));
      (s.resource("null_resource.a").get("instances") as JsonObject[]).push(new Map(entries));
      return s;
    };
    const o = deposed(b().applied()).replace("null_resource.a", null, "a-2");
    const t = b().applied().setAttribute("null_resource.a", null, "size", "large");
    const r = merged(merge(b(), o, t));
    // The current object was replaced in ours and changed in theirs: a conflict; the deposed one merges.
    expect(r.conflicts.map((c) => [r.profile.describePath(c.path, r.documents), c.kind])).toEqual([["resource null_resource.a", "identity"]]);
    const theirsSide = parseJson(pickFromMarkers(r.text, "theirs")).value as JsonObject;
    const instances = ((theirsSide.get("resources") as JsonObject[])[0].get("instances") as JsonObject[]).map((i) => String(i.get("deposed") ?? "current"));
    expect(instances).toEqual(["current", "00c0ffee"]);
  });
});

describe("hunks that empty a list on one side", () => {
  // Regression (property seed 1375933213): "instances": [ hunk ] taken as theirs gave "[\n      ]".
  it("an instance changed in ours and the only instance removed in theirs: taking theirs writes []", () => {
    const b = () => TfState.small("l", ["a"]);
    const o = b().applied().setAttribute("null_resource.a", null, "size", "large");
    const t = b().applied().removeInstance("null_resource.a", null);
    const r = merged(merge(b(), o, t));
    expect(r.conflicts.map((c) => c.kind)).toEqual(["modify/delete"]);
    expect(pickFromMarkers(r.text, "theirs")).toBe(t.clone().set("serial", new JsonNumber("3")).text());
    expect(pickFromMarkers(r.text, "theirs")).toContain('"instances": []');
    expect(pickFromMarkers(r.text, "ours")).toBe(o.clone().set("serial", new JsonNumber("3")).text());
  });
});

describe("outputs", () => {
  const withOutput = () => TfState.small().setOutput("url", "http://a");
  it("an output changed differently on both sides is one conflict; different outputs merge", () => {
    const o = withOutput().applied().setOutput("url", "http://b").setOutput("extra", "x");
    const t = withOutput().applied().setOutput("url", "http://c");
    const r = merged(merge(withOutput(), o, t));
    expect(r.conflicts.map((c) => r.profile.describePath(c.path, r.documents))).toEqual(["output url"]);
    expect(pickFromMarkers(r.text, "theirs")).toContain('"extra": {');
  });

  it("an output both sides added differently is add/add, one both changed differently modify/modify", () => {
    const added = merged(merge(TfState.small(), TfState.small().applied().setOutput("url", "http://b"), TfState.small().applied().setOutput("url", "http://c")));
    expect(added.conflicts.map((c) => [added.profile.describePath(c.path, added.documents), c.kind])).toEqual([["output url", "add/add"]]);
    const changed = merged(merge(withOutput(), withOutput().applied().setOutput("url", "http://b"), withOutput().applied().setOutput("url", "http://c")));
    expect(changed.conflicts.map((c) => c.kind)).toEqual(["modify/modify"]);
  });

  it("a sensitive output's value is hashed in conflict lines and reports", () => {
    const s = () => TfState.small().setOutput("conn", "postgres://u:hunter2@db", "string", true);
    const o = s().applied().setOutput("conn", "postgres://u:ours-secret@db", "string", true);
    const t = s().applied().setOutput("conn", "postgres://u:theirs-secret@db", "string", true);
    const r = merged(merge(s(), o, t));
    const report = reportJson({ conflicts: r.conflicts, autoResolved: r.autoResolved, fallback: null, profile: r.profile });
    expect(report).not.toMatch(/secret@db|hunter2/);
    expect(report).toContain("<secret sha256:");
  });
});

describe("secrets of instances", () => {
  it("attributes listed in sensitive_attributes and private are hashed; others shown", () => {
    const b = () => {
      const s = TfState.small();
      s.setAttribute("null_resource.a", null, "master_pw", "s3cr3t-base");
      s.setAttribute("null_resource.a", null, "region", "eu-1");
      s.instance("null_resource.a").set("sensitive_attributes", [[obj({ type: "get_attr", value: "master_pw" })]]);
      s.instance("null_resource.a").set("private", "cHJpdmF0ZQ==");
      return s;
    };
    const o = b().applied().setAttribute("null_resource.a", null, "master_pw", "s3cr3t-ours").setAttribute("null_resource.a", null, "region", "eu-2");
    const t = b().applied().setAttribute("null_resource.a", null, "master_pw", "s3cr3t-theirs");
    const r = merged(merge(b(), o, t));
    expect(r.conflicts).toHaveLength(1);
    const report = reportJson({ conflicts: r.conflicts, autoResolved: r.autoResolved, fallback: null, profile: r.profile });
    expect(report).not.toMatch(/s3cr3t|cHJpdmF0ZQ/);
    expect(report).toContain('"region": "eu-2"');
  });
});

describe("lineage", () => {
  it("different lineages: one whole-file conflict with the reason; taking a side gives its bytes", () => {
    const o = TfState.small("lineage-ours").applied();
    const t = TfState.small("lineage-theirs").applied();
    const r = merged(merge(TfState.small("lineage-ours"), o, t));
    expect(r.conflicts.map((c) => c.kind)).toEqual(["lineage"]);
    expect(r.warnings?.[0].message).toMatch(/lineages differ \(base lineage-ours, ours lineage-ours, theirs lineage-theirs\)/);
    expect(pickFromMarkers(r.text, "ours")).toBe(o.text());
    expect(pickFromMarkers(r.text, "theirs")).toBe(t.text());
  });

  it("without a base, ours and theirs alone must share the lineage", () => {
    const o = TfState.small("l1").applied();
    expect(merged(merge(null, o, TfState.small("l2"))).conflicts.map((c) => c.kind)).toEqual(["lineage"]);
    const same = merged(merge(null, o, TfState.small("l1", ["a", "b", "c", "d"])));
    expect(same.conflicts.map((c) => c.kind)).toEqual([]);
  });

  it("applies to encrypted states too, and an encrypted state with one lineage falls back with the reason", () => {
    const enc = (lineage: string, data: string) =>
      JSON.stringify({ serial: 3, lineage, meta: { "key_provider.pbkdf2.k": "eyJ9" }, encrypted_data: data, encryption_version: "v0" }, null, 2) + "\n";
    expect(merged(merge(enc("a", "AAA"), enc("a", "BBB"), enc("b", "CCC"))).conflicts.map((c) => c.kind)).toEqual(["lineage"]);
    const r = merge(enc("a", "AAA"), enc("a", "BBB"), enc("a", "CCC"));
    expect(r.kind === "fallback" && r.reason).toMatch(/encrypted state, which cannot be merged without the key/);
  });
});

describe("old and unknown versions", () => {
  it("version 3 falls back to the line merge with the reason", () => {
    const v3 = (serial: number) => JSON.stringify({ version: 3, terraform_version: "0.11.14", serial, lineage: "x", modules: [] }, null, 4) + "\n";
    const r = merge(v3(1), v3(2), v3(3));
    expect(r.kind === "fallback" && r.reason).toBe("base is a version 3 state; run terraform or tofu once to upgrade the state format");
  });

  it("a key written twice (a hand-edited file) falls back", () => {
    const text = TfState.small().text().replace('"lineage":', '"serial": 2,\n  "lineage":');
    const r = merge(TfState.small(), text, TfState.small().applied());
    expect(r.kind === "fallback" && r.reason).toMatch(/ours has the key "serial" twice/);
  });
});

describe("run values", () => {
  it("terraform_version: the newer of the two; check_results: the side with the higher serial, reported", () => {
    const checks = (status: string) => [obj({ object_kind: "var", config_addr: "var.x", status, objects: null })];
    const b = () => TfState.small();
    const o = b().applied().set("terraform_version", "1.10.0").set("check_results", checks("pass"));
    o.setAttribute("null_resource.a", null, "triggers", obj({ k: "o" }));
    const t = b().applied().applied().set("terraform_version", "1.9.9").set("check_results", checks("fail"));
    t.setAttribute("null_resource.b", null, "triggers", obj({ k: "t" }));
    const r = merged(merge(b(), o, t));
    const doc = parseJson(r.text).value as JsonObject;
    expect(doc.get("terraform_version")).toBe("1.10.0");
    expect(((doc.get("check_results") as JsonObject[])[0]).get("status")).toBe("fail");
    expect((doc.get("serial") as JsonNumber).text).toBe(String(b().serial + 3n));
    expect(r.autoResolved.map((a) => [a.path.join("."), a.kept ?? "ours"])).toEqual([
      ["terraform_version", "ours"],
      ["check_results", "theirs"],
    ]);
  });

  it("with conflicts left, the serial is one more than both, whichever side each hunk takes", () => {
    const o = base().applied().setAttribute("module.vpc.aws_eip.nat", 1, "public_ipv4_pool", "a");
    const t = base().applied().applied().applied().setAttribute("module.vpc.aws_eip.nat", 1, "public_ipv4_pool", "b");
    const r = merged(merge(base(), o, t));
    for (const side of ["ours", "theirs"] as const) {
      const doc = parseJson(pickFromMarkers(r.text, side)).value as JsonObject;
      expect((doc.get("serial") as JsonNumber).text).toBe(String(base().serial + 4n));
    }
  });
});

describe("layout", () => {
  it("a merged value with Go's special characters is written as Go writes it", () => {
    const tricky = "<tag> & \u2028 \u2029 café 😀 \b \u0001 \"q\" \\";
    const o = TfState.small().applied().setAttribute("null_resource.a", null, "triggers", obj({ html: tricky }));
    const t = TfState.small().applied().setAttribute("null_resource.b", null, "triggers", obj({ x: tricky }));
    const expected = TfState.small().setAttribute("null_resource.a", null, "triggers", obj({ html: tricky }));
    expected.setAttribute("null_resource.b", null, "triggers", obj({ x: tricky })).set("serial", new JsonNumber("3"));
    const out = clean(merge(TfState.small(), o, t));
    expect(out).toBe(expected.text());
    expect(out).toContain('"\\u003ctag\\u003e \\u0026 \\u2028 \\u2029 café 😀 \\b \\u0001 \\"q\\" \\\\"');
  });
});
