// Keys below a secret place are data, not names (a map keyed by the token itself): every
// message, report, listing and diff shows them by their hash, and `resolve` takes the hash
// back. Each case also shows them with --show-secrets, so the search can see a leak.

import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { mergeTexts } from "../../../src/pipeline/mergeTexts";
import { DEFAULT_MARKERS } from "../../../src/formats/renderDocument";
import { overlayOf } from "../../../src/profiles/overlay";
import { profileNamed } from "../../../src/profiles/table";
import { hashSecret } from "../../../src/profiles/secrets";
import { parseJson } from "../../../src/formats/parseJson";
import { checkMergedState } from "../../../src/verify/checkMergedState";
import { autoResolvedLine } from "../../../src/report/mergeReport";
import { conflictReports } from "../../support/mergeSummary";
import { TempRepo } from "../../support/gitRepo";
import { runBin } from "../../support/conflictedRepo";
import { cli } from "../../support/review";
import { token, tokenState } from "../../support/secretKeys";
import { State } from "../../support/fixtures";

/** A real merge of state.json in which both sides changed token(7)'s scope; token(8) unchanged. */
function tokenScopeConflict(): [TempRepo, ReturnType<TempRepo["tryGit"]>] {
  const repo = TempRepo.create().configureDriver("*.json");
  const state = (scope: string) => tokenState({ [token(7)]: { scope }, [token(8)]: { scope: "read" } });
  repo.write("state.json", state("read")).commit("base");
  repo.git("checkout", "-q", "-b", "theirs");
  repo.write("state.json", state("admin")).commit("theirs");
  repo.git("checkout", "-q", "main");
  repo.write("state.json", state("write")).commit("ours");
  return [repo, repo.tryGit("merge", "--no-edit", "theirs")];
}

describe("a key below a secret place is shown by its hash", () => {
  it("in a plain JSON file: every key below `tokens`, not `tokens` itself nor what leads to it", () => {
    const json = profileNamed("json");
    expect(json.shownPath(["tokens", token(1), "scope"])).toEqual(["tokens", hashSecret(token(1)), hashSecret("scope")]);
    expect(json.shownPath(["tenants", "[id=\"acme\"]", "plan"])).toEqual(["tenants", "[id=\"acme\"]", "plan"]);
    expect(json.shownPath(["tokens"])).toEqual(["tokens"]);
    expect(json.describePath(["tokens", token(1)], [])).not.toContain(token(1));
    expect(json.describePath(["tokens", token(1)], [], true)).toContain(token(1));
  });

  it("in a NixOps state: a machine or key entry named like a secret is a name, its fields shown; below an arg, keys are hidden", () => {
    const nixops = profileNamed("nixops");
    const machine = ["0e1f", "resources", "vault-secret-store", "toplevel"];
    expect(nixops.shownPath(machine)).toEqual(machine);
    expect(nixops.shownPath(["0e1f", "args", "webhooks", token(2)])).toEqual(["0e1f", "args", "webhooks", hashSecret(token(2))]);
    // A key entry named like a secret is a name; its text is hidden by place, its field names shown.
    const keyText = ["0e1f", "resources", "db1", "keys", "postgres-password", "text"];
    expect(nixops.shownPath(keyText)).toEqual(keyText);
    expect(nixops.isSecretPath(keyText)).toBe(true);
  });

  it("in a plain JSON file, below an object called keys too (only NixOps' own keys blob names its entries)", () => {
    const json = profileNamed("json");
    expect(json.shownPath(["keys", "tokens", token(9), "scope"])).toEqual(["keys", "tokens", hashSecret(token(9)), hashSecret("scope")]);
    expect(profileNamed("nixops").shownPath(["0e1f", "resources", "db1", "keys", "tokens", "text"])).toEqual(["0e1f", "resources", "db1", "keys", "tokens", "text"]);
  });

  it("a hash is not hashed again (a place named by a selector that matched nothing)", () => {
    const json = profileNamed("json");
    expect(json.shownPath(["tokens", hashSecret(token(1))])).toEqual(["tokens", hashSecret(token(1))]);
  });

  it("below a name the policy calls secret", () => {
    const profile = profileNamed("json", overlayOf({ secretNames: ["grants"] }));
    expect(profile.shownPath(["grants", "alice@example.org", "role"])).toEqual(["grants", hashSecret("alice@example.org"), hashSecret("role")]);
  });

  it("no conflict line, auto-resolved line or report of a merge prints a token that keys the map (property)", () => {
    const tokenSet = fc.uniqueArray(fc.integer({ min: 0, max: 9999 }), { minLength: 1, maxLength: 6 });
    fc.assert(
      fc.property(tokenSet, fc.nat(), (ids, pick) => {
        const tokens = ids.map(token);
        const grants = (scope: (t: string) => string) => Object.fromEntries(tokens.map((t) => [t, { scope: scope(t) }]));
        const changed = tokens[pick % tokens.length];
        const base = tokenState(grants(() => "read"));
        const ours = tokenState({ ...grants((t) => (t === changed ? "write" : "read")), [token("ours")]: { scope: "read" } });
        const theirs = tokenState({ ...grants((t) => (t === changed ? "admin" : "read")), [token("theirs")]: { scope: "read" } });
        const r = mergeTexts({ base, ours, theirs }, { markers: DEFAULT_MARKERS });
        if (r.kind !== "merged") throw new Error(`fell back: ${r.reason}`);
        expect(r.conflicts.map((c) => c.path)).toEqual([["tokens", changed, "scope"]]);
        const printed = [conflictReports(r), ...r.autoResolved.map((a) => autoResolvedLine(a, r.profile, r.documents))].join("\n");
        for (const t of [...tokens, token("ours"), token("theirs")]) expect(printed).not.toContain(t);
        expect(printed).toContain(hashSecret(changed));
        expect(conflictReports(r, true)).toContain(changed);
      }),
      { numRuns: 60 },
    );
  });

  it("verify's findings name the place by the hash too", () => {
    const doc = (scope: string) => parseJson(tokenState({ [token(3)]: { scope } })).value;
    const findings = checkMergedState(
      { base: doc("read"), ours: doc("write"), theirs: doc("read"), expected: doc("write"), conflictPaths: [], result: doc("read"), resultDuplicates: [] },
      profileNamed("json"),
    );
    expect(findings.length).toBeGreaterThan(0);
    const printed = JSON.stringify(findings);
    expect(printed).not.toContain(token(3));
    expect(printed).toContain(hashSecret(token(3)));
  });

  it("check names a key written twice below `tokens` by its hash", () => {
    const twice = `{\n  "tokens": {\n    "${token(4)}": {"scope": "read"},\n    "${token(4)}": {"scope": "write"}\n  }\n}\n`;
    const file = join(mkdtempSync(join(tmpdir(), "statefile-secret-keys-")), "state.json");
    writeFileSync(file, twice);
    const r = cli(null, "check", file);
    expect(r.status).not.toBe(0);
    expect(r.stderr + r.stdout).toContain(hashSecret(token(4)));
    expect(r.stderr + r.stdout).not.toContain(token(4));
  });

  it("diff shows a changed secret map as one change, its keys unprinted; --show-secrets shows them", () => {
    const dir = mkdtempSync(join(tmpdir(), "statefile-secret-keys-"));
    writeFileSync(join(dir, "old.json"), tokenState({ [token(5)]: { scope: "read" } }));
    writeFileSync(join(dir, "new.json"), tokenState({ [token(5)]: { scope: "admin" }, [token(6)]: { scope: "read" } }));
    const r = cli(null, "diff", join(dir, "old.json"), join(dir, "new.json"));
    expect(r.stdout.trim().split("\n")).toHaveLength(1);
    expect(r.stdout).toMatch(/^~ tokens: "<secret sha256:[0-9a-f]{12}>" -> "<secret sha256:[0-9a-f]{12}>"/);
    expect(r.stdout).not.toMatch(/ghp_/);
    expect(cli(null, "diff", "--show-secrets", join(dir, "old.json"), join(dir, "new.json")).stdout).toContain(token(6));
  });

  it("diff still names the fields of a keys entry named like a secret, one change per field", () => {
    const dir = mkdtempSync(join(tmpdir(), "statefile-secret-keys-"));
    const before = State.fixture("vbox-none-2machines");
    const after = State.fixture("vbox-none-2machines").setInner("dev", "web", "keys", ["grafana-admin-password", "permissions"], "0600");
    writeFileSync(join(dir, "old.nixops.json"), before.text());
    writeFileSync(join(dir, "new.nixops.json"), after.text());
    const r = cli(null, "diff", join(dir, "old.nixops.json"), join(dir, "new.nixops.json"));
    // Its values stay hashed (a name like a secret's hides what is below it); its fields are named.
    expect(r.stdout).toMatch(/~ keys\/grafana-admin-password\/permissions: "<secret sha256:[0-9a-f]{12}>" -> "<secret sha256:[0-9a-f]{12}>"/);
  });

  it("resolve takes back a hash inside embedded JSON (a command-output value, secret by place)", () => {
    const state = (db: string) => State.fixture("vbox-none-2machines").addResource("dev", "gen", { type: "command-output", value: JSON.stringify({ [token(11)]: db }) }).text();
    const repo = TempRepo.create().configureDriver("*.nixops.json");
    repo.write("prod.nixops.json", state("base")).commit("base");
    repo.git("checkout", "-q", "-b", "theirs");
    repo.write("prod.nixops.json", state("theirs")).commit("theirs");
    repo.git("checkout", "-q", "main");
    repo.write("prod.nixops.json", state("ours")).commit("ours");
    expect(repo.tryGit("merge", "--no-edit", "theirs").status).not.toBe(0);
    const listed = runBin(repo, ["conflicts"]);
    expect(listed.stdout).not.toMatch(/ghp_/);
    expect(listed.stdout).toContain(`resource gen, attribute value, inner path ${hashSecret(token(11))}`);
    // Refusals never repeat the token typed beside a typo, inside the embedded JSON or as a deployment's name.
    for (const selector of [`dev/gen/value/x${token(11)}`, `x${token(11)}`, `${token(11)}/gen`, `dev/gen/${token(11)}`, `${token(11).slice(1)}/gen`, `dev/${token(11).slice(0, 9)}-${token(11).slice(9)}`]) {
      const refused = runBin(repo, ["resolve", "--theirs", "prod.nixops.json", selector]);
      expect(refused.status, selector).toBe(2);
      expect(refused.stderr, selector).not.toMatch(/zq11Xk7/);
    }
    const resolved = runBin(repo, ["resolve", "--theirs", "prod.nixops.json", `dev/gen/value/${hashSecret(token(11))}`]);
    expect(resolved.stderr).toContain("settled 1 conflict(s) to theirs; 0 remain");
  });

  it("in a real merge: the driver, conflicts and conflicts --json hide the token, and resolve takes the place as conflicts printed it", () => {
    const [repo, merge] = tokenScopeConflict();
    expect(merge.status).not.toBe(0);
    expect(merge.stdout + merge.stderr).toContain(hashSecret(token(7)));
    expect(merge.stdout + merge.stderr).not.toMatch(/ghp_/);

    const listed = runBin(repo, ["conflicts"]);
    expect(listed.stdout).not.toMatch(/ghp_/);
    expect(runBin(repo, ["conflicts", "--json"]).stdout).not.toMatch(/ghp_/);
    expect(runBin(repo, ["conflicts", "--show-secrets"]).stdout).toContain(token(7));
    // The place as the listing printed it, copied into a selector.
    const place = /in (\/tokens\/<secret sha256:[0-9a-f]{12}>)\//.exec(listed.stdout)?.[1];
    expect(place).toBe(`/tokens/${hashSecret(token(7))}`);
    const resolved = runBin(repo, ["resolve", "--theirs", "state.json", place as string]);
    expect(resolved.stderr).toContain("settled 1 conflict(s) to theirs; 0 remain");
    expect(resolved.stderr).not.toMatch(/ghp_/);
    expect((parseJson(repo.read("state.json")).value as Map<string, Map<string, Map<string, string>>>).get("tokens")?.get(token(7))?.get("scope")).toBe("admin");
  });

  it("conflicts' note about Git's line-merge blocks names a place below a secret place by its hash, and by its key with --show-secrets", () => {
    // Not routed to the driver: Git's line merge writes one block over token(8)'s two changed lines, which the record merge settles.
    const repo = TempRepo.create();
    const state = (seven: string, eight: { note: string; scope: string }) => JSON.stringify({ tokens: { [token(7)]: { scope: seven }, [token(8)]: eight } }, null, 2) + "\n";
    repo.write("state.json", state("read", { note: "x", scope: "read" })).commit("base");
    repo.git("checkout", "-q", "-b", "theirs");
    repo.write("state.json", state("admin", { note: "x", scope: "write" })).commit("theirs");
    repo.git("checkout", "-q", "main");
    repo.write("state.json", state("write", { note: "y", scope: "read" })).commit("ours");
    expect(repo.tryGit("merge", "--no-edit", "theirs").status).not.toBe(0);
    const hidden = runBin(repo, ["conflicts", "state.json"]);
    expect(hidden.stdout).toContain(`read otherwise than the record-by-record merge at /tokens/${hashSecret(token(8))}/`);
    expect(hidden.stdout).not.toMatch(/ghp_/);
    const shown = runBin(repo, ["conflicts", "--show-secrets", "state.json"]);
    expect(shown.stdout).toContain(`read otherwise than the record-by-record merge at /tokens/${token(8)}/scope`);
  });

  it("resolve's refusals name a place below a secret place by its hash, even when the selector spelled the token; with --show-secrets by the token", () => {
    const [repo, merge] = tokenScopeConflict();
    expect(merge.status).not.toBe(0);
    // token(8) has no conflict: the refusal names it, and must not print it.
    const refused = runBin(repo, ["resolve", "--theirs", "state.json", `/tokens/${token(8)}`]);
    expect(refused.status).toBe(2);
    expect(refused.stderr).toContain(hashSecret(token(8)));
    expect(refused.stderr).toContain("has no conflict in state.json");
    expect(refused.stderr).not.toMatch(/ghp_/);
    // Inside the conflict: a field below the conflicting token's entry, by its hash too.
    const inside = runBin(repo, ["resolve", "--theirs", "state.json", `/tokens/${token(7)}/scope/x`]);
    expect(inside.stderr).not.toMatch(/ghp_/);
    // The token typed where it keys nothing, alone or in other spellings: never repeated either.
    const typed = [
      token(8),
      `${token(8)}/scope`,
      `/tenants/${token(8)}`,
      `tokens.${token(8)}`,
      `//tokens//${token(8)}`,
      `/Tokens/${token(8)}`,
      `/tokens/x${token(8)}`,
      `/tokens/${token(8)}0`,
      `/tenants/${token(8).slice(0, -1)}`,
      `/tenants/${token(8).toUpperCase()}`,
      `/tenants/[id="${token(8).slice(1)}"]`,
    ];
    for (const selector of typed) {
      const r = runBin(repo, ["resolve", "--theirs", "state.json", selector]);
      expect(r.status, selector).toBe(2);
      expect(r.stderr, selector).not.toMatch(/zq8Xk7|ZQ8XK7/);
    }
    // An ordinary place is repeated as typed, even where a field name below the secret place matches a part.
    const ordinary = runBin(repo, ["resolve", "--theirs", "state.json", "/tenants/scope"]);
    expect(ordinary.stderr).toContain("/tenants/scope (");
    const shown = runBin(repo, ["resolve", "--theirs", "--show-secrets", "state.json", `/tokens/${token(8)}`]);
    expect(shown.status).toBe(2);
    expect(shown.stderr).toContain(token(8));
    expect(shown.stderr).toContain("has no conflict in state.json");
  });
});
