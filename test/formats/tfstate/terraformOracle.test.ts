// Go's escaping held against Go itself: random strings pushed as output values with
// `terraform state push` come back encoded by Go's encoding/json (through cty); goQuote must
// spell each one the same way, and the codec must re-write Terraform's file byte for byte.
// Skipped where the terraform binary is not installed.

import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { readTfstate, tfstateStyle, writeTfstate } from "../../../src/formats/tfstate/tfstateCodec";
import { goQuote } from "../../../src/formats/tfstate/goJson";
import { TfState } from "../../support/tfstate";
import { NO_TERRAFORM, hasTerraform, push, terraformDir, writtenState } from "../../support/terraformCli";

const SPECIAL = ["<", ">", "&", "\u2028", "\u2029", "\b", "\f", "\u0000", "\u001f", "\u007f", "\u0085", "é", "😀", "\ud800", "\udfff", '"', "\\", "/", "\n"];

describe.skipIf(!hasTerraform)("Go's encoder, through terraform state push", () => {
  it("spells every output value as goQuote does, and the codec re-writes the file byte for byte", () => {
    const strings = fc.sample(fc.string({ unit: fc.oneof(fc.constantFrom(...SPECIAL), fc.string({ unit: "binary", maxLength: 1 })), maxLength: 12 }), { numRuns: 120, seed: 20261203 });
    const state = TfState.small("oracle-lineage", ["a"]);
    strings.forEach((s, i) => state.setOutput(`o${String(i).padStart(3, "0")}`, s));
    const dir = terraformDir();
    const r = push(dir, JSON.stringify(JSON.parse(state.text()), null, 1));
    expect(r.stderr).toBe("");
    const written = writtenState(dir);
    strings.forEach((s, i) => {
      const name = `o${String(i).padStart(3, "0")}`;
      expect(written, name).toContain(`"${name}": {\n      "value": ${goQuote(s)},\n`);
    });
    const value = readTfstate(written).value;
    expect(writeTfstate(value, tfstateStyle([written], [value], null))).toBe(written);
  });
});

describe.skipIf(hasTerraform)("Go's encoder, through terraform state push", () => {
  it.skip(NO_TERRAFORM, () => undefined);
});
