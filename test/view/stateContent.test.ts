// Which files hold a kind of state by their content alone (the answer doctor, verify and
// conflicts share for files nothing declares): every real NixOps export and Terraform state,
// and nothing else.

import fc from "fast-check";
import { mkdtempSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { fileStartsLikeState, stateRowOf } from "../../src/view/stateContent";
import { FIXTURES, fixtureText } from "../support/fixtures";
import { TFSTATE_FIXTURES, tfstateText } from "../support/tfstate";
import { nixopsState, renderState } from "../support/arbitraries";
import { registry, text as tenantsText } from "../support/tenants";

const kindOf = (text: string) => stateRowOf(Buffer.from(text))?.name ?? null;

describe("a kind of state by content", () => {
  it("every NixOps export fixture is a NixOps export, with or without a BOM", () => {
    for (const f of FIXTURES) {
      expect(kindOf(fixtureText(f)), f).toBe("nixops");
      expect(kindOf("\ufeff" + fixtureText(f)), f).toBe("nixops");
    }
  });

  it("every Terraform state fixture is a Terraform state", () => {
    expect(TFSTATE_FIXTURES.length).toBeGreaterThan(5);
    for (const f of TFSTATE_FIXTURES) expect(kindOf(tfstateText(f)), f).toBe("tfstate");
  });

  it("every Terraform state fixture with its keys sorted (jq -S), where serial comes after the resources, is one", () => {
    const sorted = (v: unknown): unknown =>
      Array.isArray(v) ? v.map(sorted) : v !== null && typeof v === "object" ? Object.fromEntries(Object.keys(v).sort().map((k) => [k, sorted((v as Record<string, unknown>)[k])])) : v;
    const dir = mkdtempSync(join(tmpdir(), "statefile-merge-content-"));
    const far = TFSTATE_FIXTURES.map((f) => JSON.stringify(sorted(JSON.parse(tfstateText(f))), null, 2) + "\n").filter((t) => t.indexOf('"serial"') >= 4096);
    expect(far.length).toBeGreaterThan(3);
    far.forEach((text, i) => {
      expect(kindOf(text)).toBe("tfstate");
      writeFileSync(join(dir, `${i}.tfstate`), text);
      expect(fileStartsLikeState(join(dir, `${i}.tfstate`))).toBe(true);
    });
  });

  it("a Terraform state the merge does not read record by record is none: OpenTofu's encrypted state, version 3", () => {
    const lineage = "5f4dcc3b-0000-4000-8000-000000000001";
    const encrypted = JSON.stringify({ serial: 3, lineage, meta: {}, encrypted_data: "AAAA", encryption_version: "v0" }, null, 2);
    expect(kindOf(encrypted)).toBeNull();
    expect(kindOf(JSON.stringify({ version: 3, terraform_version: "0.11.14", serial: 3, lineage, modules: [] }, null, 2))).toBeNull();
    // The control: the same start with version 4 and resources is one.
    expect(kindOf(JSON.stringify({ version: 4, terraform_version: "1.5.0", serial: 3, lineage, outputs: {}, resources: [] }, null, 2))).toBe("tfstate");
  });

  it("plain JSON, JSON that only starts like a state, and text are none", () => {
    expect(kindOf(tenantsText(registry()))).toBeNull();
    expect(kindOf('{ "12345678-1234-1234-1234-123456789abc": { "note": "no resources" } }')).toBeNull();
    expect(kindOf('{ "serial": 1, "lineage": "x" ')).toBeNull(); // cut short
    expect(kindOf('{\n  "serial": "one",\n  "lineage": "x"\n}\n')).toBeNull(); // a serial that is no number
    expect(kindOf("int main;\n")).toBeNull();
    expect(kindOf("")).toBeNull();
  });

  it("any generated NixOps state with a deployment is one", () => {
    fc.assert(
      fc.property(nixopsState(), (doc) => {
        fc.pre(doc.size > 0);
        expect(kindOf(renderState(doc))).toBe("nixops");
      }),
      { numRuns: 100 },
    );
  });

  it("a file's first bytes: a state's, even with conflict markers further down; not a missing file", () => {
    const dir = mkdtempSync(join(tmpdir(), "statefile-merge-content-"));
    const lines = tfstateText(TFSTATE_FIXTURES[0]).split("\n");
    writeFileSync(join(dir, "terraform.tfstate"), [...lines.slice(0, 3), "<<<<<<< HEAD", lines[3], "=======", lines[3].replace(/\d+/, "9"), ">>>>>>> topic", ...lines.slice(4)].join("\n"));
    writeFileSync(join(dir, "notes.txt"), "serial and lineage\n");
    expect(fileStartsLikeState(join(dir, "terraform.tfstate"))).toBe(true);
    expect(fileStartsLikeState(join(dir, "notes.txt"))).toBe(false);
    expect(fileStartsLikeState(join(dir, "missing"))).toBe(false);
    // A symbolic link is not read (to a FIFO it would block): even to a state file.
    symlinkSync(join(dir, "terraform.tfstate"), join(dir, "link"));
    expect(fileStartsLikeState(join(dir, "link"))).toBe(false);
  });
});
