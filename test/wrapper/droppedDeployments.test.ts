import { describe, expect, it } from "vitest";
import { BadExport, checkNoDeploymentDropped } from "../../src/wrapper/exportedState";
import { State } from "../support/fixtures";

describe("an export that lacks a deployment the import gave nixops", () => {
  const imported = State.fixture("hetzner-hcloud-multitenant").doc;
  const without = (name: string) => {
    const doc = State.fixture("hetzner-hcloud-multitenant").doc;
    for (const [uuid, d] of doc) if ((d as Map<string, unknown>).get("name") === name) doc.delete(uuid);
    return doc;
  };

  it("is refused, naming it, for every subcommand but delete", () => {
    for (const sub of ["deploy", "create", "destroy", "check", null]) {
      expect(() => checkNoDeploymentDropped(imported, without("shared-db"), sub)).toThrow(BadExport);
      expect(() => checkNoDeploymentDropped(imported, without("shared-db"), sub)).toThrow(/lacks the deployment shared-db \(8e2f4b90-/);
    }
    expect(() => checkNoDeploymentDropped(imported, without("shared-db"), "delete")).not.toThrow();
  });

  it("is no matter when nothing was imported, or nothing is missing", () => {
    expect(() => checkNoDeploymentDropped(null, without("shared-db"), "deploy")).not.toThrow();
    expect(() => checkNoDeploymentDropped(imported, State.fixture("hetzner-hcloud-multitenant").doc, "deploy")).not.toThrow();
  });
});
