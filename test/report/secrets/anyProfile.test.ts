// Secret rules do not depend on which profile won: when one input is not NixOps-shaped (a
// deployment stub without resources, a top-level null), the merge reads the file as generic
// JSON, and still hides every value a NixOps reading calls secret; a Terraform state read as
// JSON (a policy's forced profile) still hides what the state marks sensitive.

import { describe, expect, it } from "vitest";
import { mergeTexts } from "../../../src/pipeline/mergeTexts";
import { reportJson, conflictLine } from "../../../src/report/mergeReport";
import { DEFAULT_MARKERS } from "../../../src/formats/renderDocument";
import { State } from "../../support/fixtures";
import { overlayOf } from "../../../src/profiles/overlay";
import { TfState, obj } from "../../support/tfstate";
import { conflictReports } from "../../support/mergeSummary";

const KEY_A = "-----BEGIN OPENSSH PRIVATE KEY-----ours-key-material-0123456789";
const KEY_B = "theirs-app-env-secret-9876543210";

function conflicted(oursText: (s: State) => string) {
  const base = State.fixture("ec2-prod-5machines");
  const ours = base.clone().setInner("prod", "app1", "keys", ["app-env", "text"], KEY_A);
  const theirs = base.clone().setInner("prod", "app1", "keys", ["app-env", "text"], KEY_B);
  return mergeTexts({ base: base.text(), ours: oursText(ours), theirs: theirs.text() }, { markers: DEFAULT_MARKERS });
}

describe("secrets stay hidden whichever profile reads the file", () => {
  const stub = (s: State) => s.text().replace(/^\{\n/, '{\n  "00000000-0000-0000-0000-00000000stub": {\n    "name": "stub"\n  },\n');

  it("a deployment stub without resources: the file is read as generic JSON, the keys texts stay hashed", () => {
    const r = conflicted(stub);
    if (r.kind !== "merged") throw new Error(`fell back: ${r.reason}`);
    expect(r.profile.name).toBe("json");
    expect(r.conflicts.length).toBeGreaterThan(0);
    const outputs = [reportJson({ conflicts: r.conflicts, autoResolved: r.autoResolved, fallback: null, profile: r.profile }), ...r.conflicts.map((c) => conflictLine(c, r.profile, r.documents))];
    for (const out of outputs) {
      expect(out).not.toContain(KEY_B);
      expect(out).not.toContain("ours-key-material");
    }
    // The control: the same report with secrets shown does hold them, so the search can fail.
    const shown = reportJson({ conflicts: r.conflicts, autoResolved: r.autoResolved, fallback: null, profile: r.profile }, { showSecrets: true });
    expect(shown).toContain(KEY_B);
  });

  it("a Terraform state read as plain JSON (a policy's \"profile\": \"json\") still hides its sensitive attributes", () => {
    // master_pw is no secret by its name: only the state's sensitive_attributes mark it.
    const state = (pw: string) => {
      const s = TfState.small().setAttribute("null_resource.a", null, "master_pw", pw);
      s.instance("null_resource.a").set("sensitive_attributes", [[obj({ type: "get_attr", value: "master_pw" })]]);
      return s.text();
    };
    const values = ["pw-ours-1c2d3e4f", "pw-theirs-5a6b7c8d"];
    const r = mergeTexts({ base: state("pw-base-9e0f1a2b"), ours: state(values[0]), theirs: state(values[1]) }, { markers: DEFAULT_MARKERS, overlay: overlayOf({ profile: "json" }) });
    if (r.kind !== "merged") throw new Error(`fell back: ${r.reason}`);
    expect(r.profile.name).toBe("json");
    expect(r.conflicts.length).toBeGreaterThan(0);
    for (const v of values) expect(conflictReports(r)).not.toContain(v);
    expect(conflictReports(r, true)).toContain(values[1]);
  });
});
