import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { spawnSync } from "node:child_process";
import { lockRefFor } from "../../src/wrapper/lockRef";

/** git's own verdict on a ref name. */
const validRef = (ref: string) => spawnSync("git", ["check-ref-format", ref]).status === 0;

const component = fc.string({ unit: fc.constantFrom("a", "Z", "0", ".", "-", "_", " ", "~", "^", ":", "?", "*", "[", "\\", "@", "{", "%", "é", "lock"), minLength: 1, maxLength: 8 });
const pathInRepository = fc.array(component, { minLength: 1, maxLength: 3 }).map((parts) => parts.join("/"));

describe("the lock ref of a state file", () => {
  it("keeps plain paths readable", () => {
    expect(lockRefFor("prod.nixops.json")).toBe("refs/statefile-merge/lock/prod.nixops.json");
    expect(lockRefFor("infra/prod.nixops.json")).toBe("refs/statefile-merge/lock/infra/prod.nixops.json");
  });

  it("is a ref name git accepts, for any path, and two paths never share one", () => {
    fc.assert(
      fc.property(pathInRepository, pathInRepository, (a, b) => {
        expect(validRef(lockRefFor(a)), lockRefFor(a)).toBe(true);
        if (a !== b) expect(lockRefFor(a)).not.toBe(lockRefFor(b));
      }),
      { numRuns: 150 },
    );
  });

  it("regression cases: dots and .lock where git forbids them", () => {
    for (const p of [".hidden.json", "a..b", "state.lock", "dir./x", "a/.b/c.lock", "%2E"]) expect(validRef(lockRefFor(p)), p).toBe(true);
    expect(lockRefFor(".x")).not.toBe(lockRefFor("%2Ex")); // "%" is escaped too, so no two paths meet
  });
});
