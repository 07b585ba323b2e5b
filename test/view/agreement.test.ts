// Every command agrees on a tenant list read through its policy file and on a generic JSON
// file that only .gitattributes routes to the driver (test/view/agreementSuite.ts), and `diff`
// names exactly the records and fields that changed.

import { expect, it } from "vitest";
import { readFileSync } from "node:fs";
import { describeAgreement } from "../support/agreementSuite";
import { restoreConflicted } from "../support/conflictedRepo";
import { changedPlaces, changedTenants, genericScenario, tenantLists, tenantScenario } from "../support/scenarios";
import { text } from "../support/tenants";

/** Each line of `diff` up to its value: "~ tenants/acme/licenseKey". */
const places = (out: string) =>
  out
    .split("\n")
    .filter((l) => /^[~+-] /.test(l))
    .map((l) => l.slice(0, l.indexOf(": ")))
    .sort();

/** The lines git diff shows between conflict markers (combined diff: two prefix columns). */
function blockLines(out: string): string[] {
  const inside: string[] = [];
  let open = false;
  for (const line of out.split("\n")) {
    const body = line.slice(2);
    if (/^<{7}/.test(body)) open = true;
    else if (/^>{7}/.test(body)) open = false;
    else if (open) inside.push(body);
  }
  return inside;
}

describeAgreement(tenantScenario(), {
  more: (ctx) => {
    it("git diff during the merge holds only the conflicting tenants between markers", () => {
      restoreConflicted(ctx.c);
      const lists = tenantLists();
      // The whole file as context, so every tenant is shown somewhere.
      const r = ctx.git("diff", "--unified=1000");
      const inside = blockLines(r.stdout).join("\n");
      const initech = (l: { tenants: Array<{ id: string; plan: string }> }) => l.tenants.find((t) => t.id === "initech")!.plan;
      expect(inside).toContain(`"plan": "${initech(lists.ours)}"`);
      expect(inside).toContain(`"plan": "${initech(lists.theirs)}"`);
      // A tenant with the same value on both sides after the merge stands outside every block.
      for (const id of ["wayne", "hooli"]) {
        expect(r.stdout).toContain(`"${id}"`);
        expect(inside).not.toContain(`"${id}"`);
      }
    });


    it("diff OLD NEW names each tenant added, removed or changed and its changed fields, and no other tenant", () => {
      const lists = tenantLists();
      for (const after of [lists.ours, lists.theirs]) {
        // NEW in the work tree (its policy entry applies), OLD a version saved outside.
        ctx.c.repo.write("tenants.json", text(after));
        const r = ctx.bin("diff", ctx.stageFile(1), "tenants.json");
        expect(r.status).toBe(1);
        expect(places(r.stdout)).toEqual(changedTenants(lists.base, after).sort());
        expect(r.stdout).not.toMatch(/deploy|summary:|deployment|resource/);
        expect(r.stdout).not.toContain("wayne");
        expect(JSON.parse(ctx.bin("diff", "--json", ctx.stageFile(1), "tenants.json").stdout)).toMatchObject({ kind: "json" });
        // OLD in the work tree, NEW outside: read the same way.
        const back = ctx.bin("diff", "tenants.json", ctx.stageFile(1));
        expect(places(back.stdout)).toEqual(changedTenants(after, lists.base).sort());
      }
      // The unchanged tenant was there to be printed.
      expect(readFileSync(ctx.stageFile(1), "utf8")).toContain('"wayne"');
      restoreConflicted(ctx.c);
    });
  },
});

describeAgreement(genericScenario(), {
  more: (ctx) => {
    it("diff OLD NEW names every place either side changed, a removed null included", () => {
      for (const n of [2, 3] as const) {
        const r = ctx.bin("diff", ctx.stageFile(1), ctx.stageFile(n));
        expect(r.status).toBe(1);
        expect(places(r.stdout)).toEqual(changedPlaces(ctx.side(1), ctx.side(n)).sort());
      }
      expect(changedPlaces(ctx.side(1), ctx.side(3))).toContain("- services/web/env/HTTP_PROXY");
    });
  },
});
