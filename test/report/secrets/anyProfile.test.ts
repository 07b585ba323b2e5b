// Secret rules do not depend on which profile won: when one input is not NixOps-shaped (a
// deployment stub without resources, a top-level null), the merge reads the file as generic
// JSON, and still hides every value a NixOps reading calls secret.

import { describe, expect, it } from "vitest";
import { mergeTexts } from "../../../src/pipeline/mergeTexts";
import { reportJson, conflictLine } from "../../../src/report/mergeReport";
import { DEFAULT_MARKERS } from "../../../src/formats/renderDocument";
import { State } from "../../support/fixtures";
import { overlayOf } from "../../../src/profiles/overlay";
import type { MergeResult } from "../../../src/pipeline/mergeTexts";
import { TfState, obj } from "../../support/tfstate";

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

  /** Every report of a merge's conflicts: the JSON report and the conflict lines. */
  function reports(r: MergeResult, showSecrets = false): string {
    if (r.kind !== "merged") throw new Error(`fell back: ${r.reason}`);
    const lines = r.conflicts.map((c) => conflictLine(c, r.profile, r.documents, { showSecrets }));
    return [reportJson({ conflicts: r.conflicts, autoResolved: r.autoResolved, fallback: null, profile: r.profile }, { showSecrets }), ...lines].join("\n");
  }

  it("a conflict below a level named like a secret (secrets/db) is hidden like the level itself", () => {
    const doc = (db: string) => JSON.stringify({ name: "billing", secrets: { db, port: 5432 } }, null, 2) + "\n";
    const values = ["db-ours-2b3c4d5e", "db-theirs-6f7a8b9c"];
    const r = mergeTexts({ base: doc("db-base-0a1b2c3d"), ours: doc(values[0]), theirs: doc(values[1]) }, { markers: DEFAULT_MARKERS });
    if (r.kind !== "merged") throw new Error(`fell back: ${r.reason}`);
    expect(r.conflicts.map((c) => c.path)).toEqual([["secrets", "db"]]);
    for (const v of values) expect(reports(r)).not.toContain(v);
    expect(reports(r, true)).toContain(values[1]);
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
    for (const v of values) expect(reports(r)).not.toContain(v);
    expect(reports(r, true)).toContain(values[1]);
  });

  it("a Terraform resource in conflict as a whole (removed on one side) keeps its sensitive attributes hidden", () => {
    const state = (pw: string) => {
      const s = TfState.small().setAttribute("null_resource.a", null, "master_pw", pw);
      s.instance("null_resource.a").set("sensitive_attributes", [[obj({ type: "get_attr", value: "master_pw" })]]);
      return s;
    };
    const values = ["pw-base-3c4d5e6f", "pw-theirs-7a8b9c0d"];
    const r = mergeTexts({ base: state(values[0]).text(), ours: state(values[0]).removeResource("null_resource.a").text(), theirs: state(values[1]).text() }, { markers: DEFAULT_MARKERS });
    if (r.kind !== "merged") throw new Error(`fell back: ${r.reason}`);
    expect(r.profile.name).toBe("tfstate");
    expect(r.conflicts.map((c) => c.kind)).toEqual(["delete/modify"]);
    for (const v of values) expect(reports(r)).not.toContain(v);
    expect(reports(r, true)).toContain(values[1]);
  });

  it("a keyed record named like a secret (a policy's env list, by name) is hidden whole", () => {
    const doc = (vars: Array<{ name: string; value: string }>) => JSON.stringify({ env: vars }, null, 2) + "\n";
    const values = ["hunter2-ours-1f2e3d4c", "hunter2-theirs-5b6a7988"];
    const overlay = overlayOf({ keyedArrays: [{ pattern: ["env"], field: "name" }] });
    const texts = { base: doc([{ name: "PORT", value: "80" }]), ours: doc([{ name: "PORT", value: "80" }, { name: "DB_PASSWORD", value: values[0] }]), theirs: doc([{ name: "PORT", value: "80" }, { name: "DB_PASSWORD", value: values[1] }]) };
    const r = mergeTexts(texts, { markers: DEFAULT_MARKERS, overlay });
    if (r.kind !== "merged") throw new Error(`fell back: ${r.reason}`);
    expect(r.conflicts.map((c) => c.kind)).toEqual(["add/add"]);
    for (const v of values) expect(reports(r)).not.toContain(v);
    expect(reports(r, true)).toContain(values[1]);
  });

  it("a machine named like a secret (compass, token-service) is a name, not a secret: its conflicts show their values", () => {
    const base = State.fixture("ec2-prod-5machines");
    for (const name of ["compass", "token-service"]) base.addResource("prod", name, { ...Object.fromEntries(base.resource("prod", "app1")), toplevel: "/nix/store/base-system" } as Record<string, string>);
    const ours = base.clone().set("prod", "compass", "toplevel", "/nix/store/ours-system").set("prod", "token-service", "toplevel", "/nix/store/ours-token");
    const theirs = base.clone().set("prod", "compass", "toplevel", "/nix/store/theirs-system").set("prod", "token-service", "toplevel", "/nix/store/theirs-token");
    const r = mergeTexts({ base: base.text(), ours: ours.text(), theirs: theirs.text() }, { markers: DEFAULT_MARKERS });
    if (r.kind !== "merged") throw new Error(`fell back: ${r.reason}`);
    expect(r.profile.name).toBe("nixops");
    expect(reports(r)).toContain("/nix/store/theirs-system");
    expect(reports(r)).toContain("/nix/store/ours-token");
    // Its keys stay hidden all the same, and so does a value at a record level itself.
    expect(r.profile.isSecretPath([base.uuid("prod"), "resources", "compass", "keys", "app-env", "text"])).toBe(true);
    expect(r.profile.isSecretPath(["password"])).toBe(true);
    expect(r.profile.isSecretPath(["db", "resources", "api-token"])).toBe(true);
  });

  it("a record in conflict as a whole is named by its fields, each hidden when secret", () => {
    const doc = (x: number | null) => JSON.stringify({ a: 1, ...(x === null ? {} : { credentials: { type: "cred-type-4e5f6a7b", x } }) }, null, 2) + "\n";
    const r = mergeTexts({ base: doc(1), ours: doc(2), theirs: doc(null) }, { markers: DEFAULT_MARKERS });
    if (r.kind !== "merged") throw new Error(`fell back: ${r.reason}`);
    expect(r.conflicts.map((c) => c.kind)).toEqual(["modify/delete"]);
    expect(reports(r)).not.toContain("cred-type-4e5f6a7b");
    expect(reports(r)).toMatch(/a record of 2 attributes \(type <secret sha256:/);
    expect(reports(r, true)).toContain("cred-type-4e5f6a7b");
    // A Terraform instance whose id is sensitive, re-created on both sides.
    const state = (id: string) => {
      const s = TfState.small().setAttribute("null_resource.a", null, "id", id);
      s.instance("null_resource.a").set("sensitive_attributes", [[obj({ type: "get_attr", value: "id" })]]);
      return s.text();
    };
    const t = mergeTexts({ base: state("id-base-0f1e2d3c"), ours: state("id-ours-4b5a6978"), theirs: state("id-theirs-8c9dabcd") }, { markers: DEFAULT_MARKERS });
    if (t.kind !== "merged") throw new Error(`fell back: ${t.reason}`);
    expect(t.conflicts.length).toBeGreaterThan(0);
    for (const v of ["id-ours-4b5a6978", "id-theirs-8c9dabcd"]) expect(reports(t)).not.toContain(v);
    expect(reports(t, true)).toContain("id-theirs-8c9dabcd");
  });

  it("a Terraform state marked on one side only, whose other side lists its resources in another order, stays hidden", () => {
    const mark = (s: TfState, content: string) => {
      s.setAttribute("null_resource.b", null, "content", content);
      s.instance("null_resource.b").set("sensitive_attributes", [[obj({ type: "get_attr", value: "content" })]]);
      return s;
    };
    const base = mark(TfState.small(), "content-base-1a2b3c4d");
    const ours = mark(TfState.small(), "content-ours-5e6f7a8b");
    // Another lineage (a whole-file conflict), one more resource first, and no mark.
    const theirs = TfState.small("5f4dcc3b-0000-4000-8000-00000000ffff", ["a", "aa", "b", "c"]).setAttribute("null_resource.b", null, "content", "content-theirs-9c0d1e2f");
    const r = mergeTexts({ base: base.text(), ours: ours.text(), theirs: theirs.text() }, { markers: DEFAULT_MARKERS });
    if (r.kind !== "merged") throw new Error(`fell back: ${r.reason}`);
    expect(r.conflicts.length).toBeGreaterThan(0);
    for (const v of ["content-ours-5e6f7a8b", "content-theirs-9c0d1e2f"]) expect(reports(r)).not.toContain(v);
    expect(reports(r, true)).toContain("content-theirs-9c0d1e2f");
  });
});
