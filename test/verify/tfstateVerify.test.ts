// verify for a Terraform state: besides no lost change, the result must keep the lineage and
// have a serial above both parents' (what `terraform state push` needs); the driver's own
// result passes.

import { describe, expect, it } from "vitest";
import { JsonNumber } from "../../src/core/values";
import { mergeTexts } from "../../src/pipeline/mergeTexts";
import { PLAIN_MARKERS } from "../../src/resolve/remerge";
import { verifyFileMerge, type FileVerdict } from "../../src/verify/verifyFile";
import { parseJson } from "../../src/formats/parseJson";
import { TfState, goIndent, obj } from "../support/tfstate";

const base = () => TfState.fixture("aws-modules-count-tf1.4.6");
const ours = () => base().applied().setOutput("region", "eu-west-1");
const theirs = () => base().applied().setAttribute("module.vpc.aws_eip.nat", 0, "domain", "standard");

function verify(result: string): FileVerdict {
  return verifyFileMerge({ base: Buffer.from(base().text()), ours: Buffer.from(ours().text()), theirs: Buffer.from(theirs().text()), result: Buffer.from(result) }, {});
}

function driverText(): string {
  const r = mergeTexts({ base: base().text(), ours: ours().text(), theirs: theirs().text() }, { markers: PLAIN_MARKERS });
  if (r.kind !== "merged") throw new Error(r.reason);
  return r.text;
}

/** The driver's result with one top-level value changed, in Terraform's layout. */
function withTop(key: string, value: string | JsonNumber): string {
  const doc = parseJson(driverText()).value as Map<string, unknown>;
  doc.set(key, value);
  return goIndent(doc as never) + "\n";
}

const stateRules = (v: FileVerdict) => (v.status === "pass" ? [] : v.findings.filter((f) => f.kind === "state-rule").map((f) => f.message));

describe("verify a merged Terraform state", () => {
  it("passes the driver's own result", () => {
    expect(verify(driverText())).toEqual({ status: "pass" });
  });

  it("fails a result whose serial is not above both parents'", () => {
    const serial = ours().serial;
    expect(stateRules(verify(withTop("serial", new JsonNumber(serial.toString()))))).toEqual([
      expect.stringMatching(new RegExp(`^the serial ${serial} is not higher than the parents' \\(${serial}, ${serial}\\)`)),
    ]);
  });

  it("fails a result with another lineage", () => {
    expect(stateRules(verify(withTop("lineage", "00000000-0000-0000-0000-000000000000")))).toEqual([
      expect.stringMatching(/^the lineage changed: parent 1 has fef504f0/),
      expect.stringMatching(/^the lineage changed: parent 2 has fef504f0/),
    ]);
  });

  it("hides in its findings a value the result itself marks sensitive", () => {
    const result = new TfState(parseJson(driverText()).value as never).setAttribute("module.vpc.aws_eip.nat", 0, "domain", "domain-invented-5a6b7c8d");
    result.instance("module.vpc.aws_eip.nat", 0).set("sensitive_attributes", [[obj({ type: "get_attr", value: "domain" })]]);
    const verdict = verify(result.text());
    expect(verdict.status).toBe("fail");
    const messages = verdict.status === "fail" ? verdict.findings.map((f) => f.message).join("\n") : "";
    expect(messages).toMatch(/domain/);
    expect(messages).not.toContain("domain-invented-5a6b7c8d");
  });
});
