// Secret rules do not depend on which profile won: when one input is not NixOps-shaped (a
// deployment stub without resources, a top-level null), the merge reads the file as generic
// JSON, and still hides every value a NixOps reading calls secret.

import { describe, expect, it } from "vitest";
import { mergeTexts } from "../../../src/pipeline/mergeTexts";
import { reportJson, conflictLine } from "../../../src/report/mergeReport";
import { DEFAULT_MARKERS } from "../../../src/formats/renderDocument";
import { State } from "../../support/fixtures";

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
});
