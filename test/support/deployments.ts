// New deployments for NixOps states built from fixtures: what `nixops create -d NAME` adds,
// a copy of an existing deployment under a fresh UUID and another name.

import type { JsonObject } from "../../src/core/values";
import { cloneDoc } from "./arbitraries";
import type { State } from "./fixtures";

/** Adds deployment `uuid` named `name`, a copy of deployment `like` (its resources included). */
export function addDeployment(s: State, uuid: string, name: string, like: string): State {
  const d = cloneDoc(s.deployment(like)) as JsonObject;
  d.set("name", name);
  d.set("description", `Tenant ${name}`);
  s.doc.set(uuid, d);
  return s;
}
