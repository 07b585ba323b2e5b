// Where a value is secret beyond its own attribute name, in every report of a conflict and in
// whole documents (textconv, diff): below a level named like a secret, in a keyed record named
// like one (also walked as a whole array), in a whole record's naming fields, inside a secret
// place, in a Terraform state whose sides list resources in other orders, in JSON written
// again as a string or with a key written twice, in a PEM block split over array elements, and
// in a keys entry written as its text alone. The names of a kind's own records (a machine
// called compass) are names. Each case also shows the value with --show-secrets, so the
// search can see a leak.

import { describe, expect, it } from "vitest";
import { mergeTexts } from "../../../src/pipeline/mergeTexts";
import { DEFAULT_MARKERS } from "../../../src/formats/renderDocument";
import { overlayOf } from "../../../src/profiles/overlay";
import { profileNamed } from "../../../src/profiles/table";
import { redactDocument } from "../../../src/report/redact";
import { parseJson } from "../../../src/formats/parseJson";
import { pythonDumps } from "../../../src/formats/pythonJson";
import { State } from "../../support/fixtures";
import { TfState, obj } from "../../support/tfstate";
import { conflictReports } from "../../support/mergeSummary";

describe("secrets beyond their own attribute name", () => {
  it("a conflict below a level named like a secret (secrets/db) is hidden like the level itself", () => {
    const doc = (db: string) => JSON.stringify({ name: "billing", secrets: { db, port: 5432 } }, null, 2) + "\n";
    const values = ["db-ours-2b3c4d5e", "db-theirs-6f7a8b9c"];
    const r = mergeTexts({ base: doc("db-base-0a1b2c3d"), ours: doc(values[0]), theirs: doc(values[1]) }, { markers: DEFAULT_MARKERS });
    if (r.kind !== "merged") throw new Error(`fell back: ${r.reason}`);
    expect(r.conflicts.map((c) => c.path)).toEqual([["secrets", "db"]]);
    for (const v of values) expect(conflictReports(r)).not.toContain(v);
    expect(conflictReports(r, true)).toContain(values[1]);
  });

  it("a NixOps deployment's args (what --arg/--argstr gave, which the wrapper hides too), changed on both sides, are hidden whatever their names", () => {
    const args = (pw: string) => State.fixture("ec2-prod-5machines").set("prod", null, "args", JSON.stringify({ adminPw: JSON.stringify(pw), region: '"eu-west-1"' })).text();
    const values = ["argstr-ours-4d5e6f70", "argstr-theirs-8a9b0c1d"];
    const r = mergeTexts({ base: args("argstr-base-1234abcd"), ours: args(values[0]), theirs: args(values[1]) }, { markers: DEFAULT_MARKERS });
    if (r.kind !== "merged") throw new Error(`fell back: ${r.reason}`);
    expect(r.conflicts.map((c) => c.path.slice(1))).toEqual([["args", "adminPw"]]);
    for (const v of values) expect(conflictReports(r)).not.toContain(v);
    expect(conflictReports(r, true)).toContain(values[1]);
  });

  it("a Docker registry's auth (user:password in base64), changed on both sides, is hidden; an author is not", () => {
    const doc = (auth: string, author: string) => JSON.stringify({ auths: { "registry.example.com": { auth } }, author }, null, 2) + "\n";
    const secrets = [Buffer.from("deploy:ours-9c8b7a6d").toString("base64"), Buffer.from("deploy:theirs-5e4f3a2b").toString("base64")];
    const authors = ["alice-ours-1a2b", "bob-theirs-3c4d"];
    const r = mergeTexts({ base: doc("YmFzZQ==", "carol"), ours: doc(secrets[0], authors[0]), theirs: doc(secrets[1], authors[1]) }, { markers: DEFAULT_MARKERS });
    if (r.kind !== "merged") throw new Error(`fell back: ${r.reason}`);
    expect(r.conflicts.map((c) => c.path)).toEqual([["auths", "registry.example.com", "auth"], ["author"]]);
    for (const v of secrets) expect(conflictReports(r)).not.toContain(v);
    for (const v of authors) expect(conflictReports(r)).toContain(v);
    expect(conflictReports(r, true)).toContain(secrets[1]);
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
    for (const v of values) expect(conflictReports(r)).not.toContain(v);
    expect(conflictReports(r, true)).toContain(values[1]);
  });

  it("a keyed record named like a secret (a policy's env list, by name) is hidden whole", () => {
    const doc = (vars: Array<{ name: string; value: string }>) => JSON.stringify({ env: vars }, null, 2) + "\n";
    const values = ["hunter2-ours-1f2e3d4c", "hunter2-theirs-5b6a7988"];
    const overlay = overlayOf({ keyedArrays: [{ pattern: ["env"], field: "name" }] });
    const texts = { base: doc([{ name: "PORT", value: "80" }]), ours: doc([{ name: "PORT", value: "80" }, { name: "DB_PASSWORD", value: values[0] }]), theirs: doc([{ name: "PORT", value: "80" }, { name: "DB_PASSWORD", value: values[1] }]) };
    const r = mergeTexts(texts, { markers: DEFAULT_MARKERS, overlay });
    if (r.kind !== "merged") throw new Error(`fell back: ${r.reason}`);
    expect(r.conflicts.map((c) => c.kind)).toEqual(["add/add"]);
    for (const v of values) expect(conflictReports(r)).not.toContain(v);
    expect(conflictReports(r, true)).toContain(values[1]);
  });

  it("a policy's keyed array that a wildcard finds under a level named like a secret (/*/grants meeting apiKeys/grants) is merged as one value: no identity printed", () => {
    const doc = (scope: string) => JSON.stringify({ apiKeys: { grants: [{ id: "sk-live-5f4e3d2c1b", scope }] }, users: { grants: [{ id: "alice", scope }] } }, null, 2) + "\n";
    const overlay = overlayOf({ keyedArrays: [{ pattern: ["*", "grants"], field: "id" }] });
    const r = mergeTexts({ base: doc("read"), ours: doc("write"), theirs: doc("admin") }, { markers: DEFAULT_MARKERS, overlay });
    if (r.kind !== "merged") throw new Error(`fell back: ${r.reason}`);
    expect(r.conflicts.map((c) => c.path)).toEqual([["apiKeys", "grants"], ["users", "grants", '[id="alice"]', "scope"]]);
    expect(conflictReports(r)).not.toContain("sk-live-5f4e3d2c1b");
    expect(conflictReports(r, true)).toContain("sk-live-5f4e3d2c1b");
  });

  it("a machine named like a secret (compass, token-service) is a name, not a secret: its conflicts show their values", () => {
    const base = State.fixture("ec2-prod-5machines");
    for (const name of ["compass", "token-service"]) base.addResource("prod", name, { ...Object.fromEntries(base.resource("prod", "app1")), toplevel: "/nix/store/base-system" } as Record<string, string>);
    const ours = base.clone().set("prod", "compass", "toplevel", "/nix/store/ours-system").set("prod", "token-service", "toplevel", "/nix/store/ours-token");
    const theirs = base.clone().set("prod", "compass", "toplevel", "/nix/store/theirs-system").set("prod", "token-service", "toplevel", "/nix/store/theirs-token");
    const r = mergeTexts({ base: base.text(), ours: ours.text(), theirs: theirs.text() }, { markers: DEFAULT_MARKERS });
    if (r.kind !== "merged") throw new Error(`fell back: ${r.reason}`);
    expect(r.profile.name).toBe("nixops");
    expect(conflictReports(r)).toContain("/nix/store/theirs-system");
    expect(conflictReports(r)).toContain("/nix/store/ours-token");
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
    expect(conflictReports(r)).not.toContain("cred-type-4e5f6a7b");
    expect(conflictReports(r)).toMatch(/a record of 2 attributes \(type <secret sha256:/);
    expect(conflictReports(r, true)).toContain("cred-type-4e5f6a7b");
    // A Terraform instance whose id is sensitive, re-created on both sides.
    const state = (id: string) => {
      const s = TfState.small().setAttribute("null_resource.a", null, "id", id);
      s.instance("null_resource.a").set("sensitive_attributes", [[obj({ type: "get_attr", value: "id" })]]);
      return s.text();
    };
    const t = mergeTexts({ base: state("id-base-0f1e2d3c"), ours: state("id-ours-4b5a6978"), theirs: state("id-theirs-8c9dabcd") }, { markers: DEFAULT_MARKERS });
    if (t.kind !== "merged") throw new Error(`fell back: ${t.reason}`);
    expect(t.conflicts.length).toBeGreaterThan(0);
    for (const v of ["id-ours-4b5a6978", "id-theirs-8c9dabcd"]) expect(conflictReports(t)).not.toContain(v);
    expect(conflictReports(t, true)).toContain("id-theirs-8c9dabcd");
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
    for (const v of ["content-ours-5e6f7a8b", "content-theirs-9c0d1e2f"]) expect(conflictReports(r)).not.toContain(v);
    expect(conflictReports(r, true)).toContain("content-theirs-9c0d1e2f");
  });

  it("JSON written again as a JSON string (encoded twice or three times) is read through", () => {
    const once = JSON.stringify({ password: "dbl-secret-6d7e8f90", port: 5432 });
    for (const text of [JSON.stringify(once), JSON.stringify(JSON.stringify(once))]) {
      const doc = parseJson(JSON.stringify({ cfg: text })).value;
      const shown = pythonDumps(redactDocument(doc, profileNamed("json")));
      expect(shown).not.toContain("dbl-secret-6d7e8f90");
      expect(shown).toContain("5432");
      expect(pythonDumps(redactDocument(doc, profileNamed("json"), { showSecrets: true }))).toContain("dbl-secret-6d7e8f90");
    }
  });

  it("a keys entry written as its text alone (not { \"text\": ... }) is hidden", () => {
    const state = State.fixture("ec2-prod-5machines").setInner("prod", "app1", "keys", ["app-env"], "keytext-alone-3f4e5d6c");
    const shown = pythonDumps(redactDocument(state.doc, profileNamed("nixops"), { openEmbedded: true }));
    expect(shown).not.toContain("keytext-alone-3f4e5d6c");
    expect(shown).toMatch(/app-env\\+": \\+"<secret sha256:/);
    expect(pythonDumps(redactDocument(state.doc, profileNamed("nixops"), { showSecrets: true, openEmbedded: true }))).toContain("keytext-alone-3f4e5d6c");
  });

  it("a PEM block written one line per array element is hidden line by line, and only it", () => {
    const lines = ["before-block-0a1b", "-----BEGIN OPENSSH PRIVATE KEY-----", "pemline-body-2c3d4e5f", "pemline-body-6a7b8c9d", "-----END OPENSSH PRIVATE KEY-----", "after-block-1f2e"];
    const doc = parseJson(JSON.stringify({ sshKeyLines: lines })).value;
    const shown = pythonDumps(redactDocument(doc, profileNamed("json")));
    for (const body of ["pemline-body-2c3d4e5f", "pemline-body-6a7b8c9d"]) expect(shown).not.toContain(body);
    expect(shown).toContain("before-block-0a1b");
    expect(shown).toContain("after-block-1f2e");
    expect(pythonDumps(redactDocument(doc, profileNamed("json"), { showSecrets: true }))).toContain("pemline-body-2c3d4e5f");
  });

  it("inside a secret place: a command-output value holding JSON, changed on both sides", () => {
    const out = (pw: string) => JSON.stringify({ n: 2, pw });
    const base = State.fixture("ec2-prod-5machines").addResource("prod", "out1", { type: "command-output", value: out("co-base-0a1b2c3d") });
    const ours = base.clone().set("prod", "out1", "value", out("co-ours-4e5f6a7b"));
    const theirs = base.clone().set("prod", "out1", "value", out("co-theirs-8c9d0e1f"));
    const r = mergeTexts({ base: base.text(), ours: ours.text(), theirs: theirs.text() }, { markers: DEFAULT_MARKERS });
    if (r.kind !== "merged") throw new Error(`fell back: ${r.reason}`);
    expect(r.conflicts.map((c) => c.path.slice(2))).toEqual([["out1", "value", "pw"]]);
    for (const v of ["co-ours-4e5f6a7b", "co-theirs-8c9d0e1f"]) expect(conflictReports(r)).not.toContain(v);
    expect(conflictReports(r, true)).toContain("co-theirs-8c9d0e1f");
  });

  it("a whole document (textconv, diff) reads a keyed array's elements by their names, as the merge does", () => {
    const doc = parseJson(JSON.stringify({ env: [{ name: "PORT", value: "80" }, { name: "DB_PASSWORD", value: "env-value-5d6e7f80" }] })).value;
    const profile = profileNamed("json", overlayOf({ keyedArrays: [{ pattern: ["env"], field: "name" }] }));
    const shown = pythonDumps(redactDocument(doc, profile));
    expect(shown).not.toContain("env-value-5d6e7f80");
    expect(shown).toContain('"80"');
    expect(pythonDumps(redactDocument(doc, profile, { showSecrets: true }))).toContain("env-value-5d6e7f80");
    // A Terraform random_password: its resource is named like a secret.
    const state = TfState.small();
    state.addResource(null, "managed", "random_password", "db", [{ key: null, attributes: { id: "none", result: "rp-result-9a8b7c6d" } }]);
    const tf = parseJson(state.text()).value;
    expect(pythonDumps(redactDocument(tf, profileNamed("tfstate", undefined)))).not.toContain("rp-result-9a8b7c6d");
  });

  it("JSON text with a key written twice is hidden whole when a copy can hold a secret, shown when none can", () => {
    const twice = '{"/dev/xvdf": {"passphrase": "dup-secret-1b2c3d4e"}, "/dev/xvdf": {"size": 2}}';
    const plainTwice = '{"/dev/xvdf": {"size": 1}, "/dev/xvdf": {"size": 2}}';
    const doc = parseJson(JSON.stringify({ bdm: twice, other: plainTwice })).value;
    const shown = pythonDumps(redactDocument(doc, profileNamed("json")));
    expect(shown).not.toContain("dup-secret-1b2c3d4e");
    expect(shown).toContain('\\"size\\": 1');
    // In a NixOps keys blob (every copy a secret), in a conflict line.
    const base = State.fixture("ec2-prod-5machines");
    const keys = (text: string, n: number) => `{"k": {"text": "${text}"}, "k": ${n}}`;
    const ours = base.clone().set("prod", "app1", "keys", keys("dupkeys-ours-5f6a7b8c", 2));
    const theirs = base.clone().set("prod", "app1", "keys", keys("dupkeys-theirs-9d0e1f2a", 3));
    const r = mergeTexts({ base: base.text(), ours: ours.text(), theirs: theirs.text() }, { markers: DEFAULT_MARKERS });
    if (r.kind !== "merged") throw new Error(`fell back: ${r.reason}`);
    expect(r.conflicts.length).toBeGreaterThan(0);
    for (const v of ["dupkeys-ours-5f6a7b8c", "dupkeys-theirs-9d0e1f2a"]) expect(conflictReports(r)).not.toContain(v);
    expect(conflictReports(r, true)).toContain("dupkeys-theirs-9d0e1f2a");
  });
});
