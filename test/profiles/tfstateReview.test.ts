// Reading Terraform states: the diff as a plan (header with serial and lineage, +, -, -/+, ~),
// the textconv listing, secrets hashed in both, and verify's serial and lineage checks.

import { describe, expect, it } from "vitest";
import { JsonNumber } from "../../src/core/values";
import { diffTexts } from "../../src/review/diffTexts";
import { renderDiffText, diffJson } from "../../src/review/renderDiff";
import { deploySummary } from "../../src/review/deploySummary";
import { readableState } from "../../src/review/readableState";
import { mergedStateProblems } from "../../src/verify/mergedStateProblems";
import { checkState } from "../../src/review/check/checkState";
import { PLAIN_VIEW, type FileView } from "../../src/view/fileView";
import { TfState, obj } from "../support/tfstate";
import { hashSecret } from "../../src/profiles/secrets";

const base = () => TfState.fixture("aws-modules-count-tf1.4.6");
const lines = (before: TfState | null, after: TfState | null) => {
  const { diff, profile } = diffTexts(before?.text() ?? null, after?.text() ?? null);
  return renderDiffText(diff, profile);
};

describe("diff reads like a plan", () => {
  it("names added, removed, replaced and changed instances and outputs by address", () => {
    const after = base().applied();
    after.replace("module.vpc.aws_eip.nat", 1, "eipalloc-new");
    after.removeInstance("module.vpc.aws_eip.nat", 2);
    after.setAttribute("module.vpc.aws_eip.nat", 0, "tags", obj({ Env: "prod" }));
    after.addResource("module.db", "managed", "aws_db_instance", "main", [{ key: null, attributes: { id: "db-1" } }]);
    after.setOutput("instance_ip_address", "1.2.3.4");
    const before = base();
    before.setAttribute("module.vpc.aws_eip.nat", 0, "tags", obj({ Env: "dev" }));
    expect(lines(before, after)).toEqual([
      `terraform state: serial ${base().serial} -> ${base().serial + 1n}, lineage fef504f0-412d-b6bb-67d6-3cfce5c21361`,
      '~ module.vpc.aws_eip.nat[0]: tags.Env "dev" -> "prod"',
      "-/+ module.vpc.aws_eip.nat[1] (replaced: id changed)",
      "- module.vpc.aws_eip.nat[2]",
      "+ module.db.aws_db_instance.main",
      '~ output.instance_ip_address: value "54.178.27.237" -> "1.2.3.4"',
    ]);
  });

  it("says when the lineage changed, and when nothing but the layout did", () => {
    expect(lines(base(), base().clone().set("lineage", "other"))[0]).toMatch(/lineage fef504f0-412d-b6bb-67d6-3cfce5c21361 -> other \(a different state\)/);
    // The same state on one line (another layout): no change.
    const { diff, profile } = diffTexts(base().text(), JSON.stringify(JSON.parse(base().text())));
    expect(renderDiffText(diff, profile)[1]).toMatch(/^no change/);
    expect(deploySummary(diff)).toBe("no change");
  });

  it("hashes sensitive attributes, private data and sensitive outputs, in text and JSON", () => {
    const b = () => {
      const s = TfState.small();
      s.setAttribute("null_resource.a", null, "master_pw", "hunter2-old");
      s.instance("null_resource.a").set("sensitive_attributes", [[obj({ type: "get_attr", value: "master_pw" })]]);
      return s.setOutput("conn", "postgres://old", "string", true);
    };
    const a = b().applied().setAttribute("null_resource.a", null, "master_pw", "hunter2-new").setOutput("conn", "postgres://new", "string", true);
    a.instance("null_resource.a").set("private", "c2VjcmV0LXByaXZhdGU=");
    const { diff, profile } = diffTexts(b().text(), a.text());
    const text = renderDiffText(diff, profile).join("\n") + JSON.stringify(diffJson(diff, profile));
    expect(text).not.toMatch(/hunter2|postgres:|c2VjcmV0/);
    expect(text).toContain("~ null_resource.a: master_pw \"<secret sha256:");
    expect(renderDiffText(diff, profile, { showSecrets: true }).join("\n")).toContain('"hunter2-new"');
  });

  it("a version 3 state (no resources to read as a plan) diffs and reads as generic JSON, never as no change", () => {
    const v3 = (ip: string) =>
      JSON.stringify({ version: 3, terraform_version: "0.11.14", serial: 4, lineage: "5f4dcc3b-0000-4000-8000-000000000003", modules: [{ path: ["root"], outputs: { ip: { type: "string", value: ip } }, resources: {} }] }, null, 2);
    const { diff, profile } = diffTexts(v3("192.0.2.1"), v3("192.0.2.2"));
    const text = renderDiffText(diff, profile).join("\n");
    expect(text).not.toMatch(/no change/);
    expect(text).toContain("192.0.2.2");
    expect(readableState(v3("192.0.2.1"))).toContain("192.0.2.1");
    // Its sensitive outputs stay hidden there.
    const secret = (pw: string) =>
      JSON.stringify({ version: 3, serial: 4, lineage: "5f4dcc3b-0000-4000-8000-000000000003", modules: [{ path: ["root"], outputs: { conn: { sensitive: true, type: "string", value: pw } }, resources: {} }] }, null, 2);
    const hidden = diffTexts(secret("conn-old-3a4b5c6d"), secret("conn-new-7e8f9a0b"));
    const shown = renderDiffText(hidden.diff, hidden.profile).join("\n") + readableState(secret("conn-new-7e8f9a0b"));
    expect(shown).not.toMatch(/conn-(old|new)/);
    expect(shown).toContain("<secret sha256:");
    expect(renderDiffText(hidden.diff, hidden.profile, { showSecrets: true }).join("\n")).toContain("conn-new-7e8f9a0b");
  });

  it("summarises a change for the log", () => {
    const after = base().applied().replace("module.vpc.aws_eip.nat", 1, "eipalloc-new").removeInstance("module.vpc.aws_eip.nat", 2);
    expect(deploySummary(diffTexts(base().text(), after.text()).diff)).toBe("removed module.vpc.aws_eip.nat[2]; replaced module.vpc.aws_eip.nat[1]");
  });
});

describe("textconv listing", () => {
  it("one line per value, named by address; secrets hashed", () => {
    const s = TfState.small().setOutput("token_out", "tok-123").setOutput("url", "http://x");
    s.setAttribute("null_resource.a", null, "tags", obj({ Env: "dev" }));
    const text = readableState(s.text());
    expect(text.split("\n").slice(0, 4)).toEqual([
      "# terraform state: serial 1, lineage 5f4dcc3b-0000-4000-8000-000000000001, written by 1.11.4",
      `output.token_out = "${hashSecret("tok-123")}"`,
      'output.url = "http://x"',
      "null_resource.a:",
    ]);
    expect(text).toContain('  null_resource.a.tags.Env = "dev"\n');
    expect(text).not.toContain("tok-123");
  });
});

describe("verify: a merged state", () => {
  const o = base().applied();
  const t = base().applied().applied();
  const doc = (s: TfState) => s.doc;
  it("passes with the lineage kept and a serial above both parents", () => {
    expect(mergedStateProblems([doc(o), doc(t)], doc(t.clone().applied().setOutput("x", "y")))).toEqual([]);
  });
  it("passes when the merge kept one parent's file", () => {
    expect(mergedStateProblems([doc(o), doc(t)], doc(t))).toEqual([]);
  });
  it("fails when it kept one parent's state and the other holds a different one at the same serial (one apply on each branch)", () => {
    const mine = base().applied().setOutput("x", "mine");
    const yours = base().applied().setOutput("x", "yours");
    expect(mine.serial).toBe(yours.serial);
    expect(mergedStateProblems([doc(mine), doc(yours)], doc(mine))).toEqual([
      `the merge kept another parent's state at serial ${mine.serial}, and parent 2 holds a different state at serial ${yours.serial}: terraform state push would refuse it over parent 2; set it to ${mine.serial + 1n}`,
    ]);
    expect(mergedStateProblems([doc(mine), doc(yours)], doc(yours))[0]).toMatch(/parent 1 holds a different state/);
    // The same state on both parents is fine.
    expect(mergedStateProblems([doc(mine), doc(mine.clone())], doc(mine))).toEqual([]);
  });
  it("fails with a serial not above the parents', or a changed lineage", () => {
    const low = t.clone().setOutput("x", "y");
    expect(mergedStateProblems([doc(o), doc(t)], doc(low))).toEqual([
      `the serial ${t.serial} is not higher than the parents' (${o.serial}, ${t.serial}): terraform state push would refuse it over the newest; set it to ${t.serial + 1n}`,
    ]);
    const other = t.clone().applied().set("lineage", "other");
    expect(mergedStateProblems([doc(o), doc(t)], doc(other))[0]).toMatch(/^the lineage changed: parent 1 has fef504f0/);
    expect(mergedStateProblems([doc(o)], doc(o.clone().set("serial", new JsonNumber("1"))))).toHaveLength(1);
  });
});

describe("check and fmt", () => {
  it("a state Terraform wrote has no problem; the same state in another layout is fixed back to those bytes", () => {
    const text = base().text();
    expect(checkState(text, { view: PLAIN_VIEW, declared: "name" })).toEqual({ problems: [], fixed: null });
    const other = JSON.stringify(JSON.parse(text), null, 4) + "\n";
    const r = checkState(other, { view: PLAIN_VIEW, declared: null });
    expect(r.problems.map((p) => [p.line, p.column, p.fixable])).toEqual([[2, 3, true]]);
    expect(r.fixed).toEqual({ text, layoutName: "Terraform's" });
  });

  it("a state with a key written twice is never rewritten, even when the policy says it is a Terraform state", () => {
    const other = JSON.stringify(JSON.parse(base().text()), null, 4) + "\n";
    const twice = other.replace('    "version": 4,\n', '    "version": 4,\n    "version": 4,\n');
    expect(twice).not.toBe(other);
    const forced: FileView = { ...PLAIN_VIEW, overlay: { ...PLAIN_VIEW.overlay, profile: "tfstate" } };
    expect(checkState(other, { view: forced, declared: null }).fixed).not.toBeNull();
    const r = checkState(twice, { view: forced, declared: null });
    expect(r.problems[0].message).toMatch(/key "version" is written 2 times/);
    expect(r.fixed).toBeNull();
  });

  it("an old state is reported with what to do", () => {
    const v3 = JSON.stringify({ version: 3, serial: 1, lineage: "x", modules: [] }, null, 2);
    expect(checkState(v3, { view: PLAIN_VIEW, declared: null }).problems[0].message).toMatch(/version 3 Terraform state: .*run terraform or tofu once to upgrade it/);
    // Version 4 already, "resources" made an object by hand: not an old state.
    const edited = JSON.stringify({ version: 4, terraform_version: "1.9.0", serial: 1, lineage: "x", outputs: {}, resources: {} }, null, 2);
    expect(checkState(edited, { view: PLAIN_VIEW, declared: null }).problems[0].message).toBe('a version 4 Terraform state whose "resources" is not a list; terraform writes "resources": [...], restore it from Git');
  });
});
