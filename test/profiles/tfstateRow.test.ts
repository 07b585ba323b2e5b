// The Terraform row in the profile table: chosen by content before the NixOps and JSON rows,
// forced by a policy entry's "profile": "tfstate", and its document-marked secrets hidden.

import { describe, expect, it } from "vitest";
import { ABSENT } from "../../src/core/values";
import { chooseProfile } from "../../src/profiles/table";
import { NO_OVERLAY, overlayOf } from "../../src/profiles/overlay";
import { parsePolicy } from "../../src/policy/parsePolicy";
import { POLICY_FILE_NAME } from "../../src/policy/policyTypes";
import { TfState, obj } from "../support/tfstate";

const state = () => TfState.fixture("aws-modules-count-tf1.4.6");

describe("the tfstate row", () => {
  it("reads a state by its content, with or without a base", () => {
    expect(chooseProfile(NO_OVERLAY, [ABSENT, state().doc, state().doc]).name).toBe("tfstate");
    expect(chooseProfile(NO_OVERLAY, [obj({ a: "b" })]).name).toBe("json");
  });

  it("is what a policy entry's profile \"tfstate\" forces, and the policy file accepts it", () => {
    expect(chooseProfile(overlayOf({ profile: "tfstate" }), [obj({ a: "b" })]).name).toBe("tfstate");
    const read = parsePolicy(JSON.stringify({ files: { "infra/*.tfstate": { profile: "tfstate" } } }), POLICY_FILE_NAME);
    expect(read.problems).toEqual([]);
    expect(read.policy.entries[0].profile).toBe("tfstate");
  });

  it("hides an instance's private data and an output named like a secret", () => {
    const s = state().setOutput("db_password", "hunter2");
    const profile = chooseProfile(NO_OVERLAY, [s.doc]);
    expect(profile.isSecretPath(["outputs", "db_password", "value"])).toBe(true);
    expect(profile.isSecretPath(["resources", "[x]", "instances", "[y]", "private"])).toBe(true);
    expect(profile.isSecretPath(["outputs", "region", "value"])).toBe(false);
  });
});
