// Where a Terraform state keeps secrets: the attributes an instance lists in
// `sensitive_attributes` (the whole top-level attribute is hidden, whatever the depth of the
// sensitive path), every instance's `private` (provider data, opaque), and the value of any
// output marked `"sensitive": true` (in version 3, any module's). Read from all the documents at hand: a value that is
// sensitive on any side is hidden on every side.
//
// Paths come in two spellings: the merge's (`[module,mode,type,name=...]` segments) and a
// plain walk's (array positions).

import { isObject, type JsonValue, type Path, type Slot } from "../../core/values";
import { instanceSegment, instancesOf, resourceSegment } from "./addresses";

export interface StateSecrets {
  isSecretPath(path: Path): boolean;
}

function sensitiveTopAttributes(instance: Map<string, JsonValue>): string[] {
  const paths = instance.get("sensitive_attributes");
  if (!Array.isArray(paths)) return [];
  const names: string[] = [];
  for (const p of paths) {
    // [[{"type": "get_attr", "value": "password"}, ...], ...]
    const first = Array.isArray(p) ? p[0] : undefined;
    const name = isObject(first) && first.get("type") === "get_attr" ? first.get("value") : undefined;
    if (typeof name === "string") names.push(name);
  }
  return names;
}

export function stateSecrets(documents: readonly Slot[]): StateSecrets {
  // By address (the merge's segments): exact. By position (a plain walk of one side, whose
  // order may differ from another side's): any attribute marked anywhere, so that a value is
  // never shown because two sides list their resources in another order.
  const byInstance = new Map<string, Set<string>>();
  const byResource = new Map<string, Set<string>>();
  const anywhere = new Set<string>();
  const sensitiveOutputs = new Set<string>();
  const note = (map: Map<string, Set<string>>, key: string, names: string[]) => {
    const set = map.get(key) ?? new Set<string>();
    for (const n of names) set.add(n);
    map.set(key, set);
  };
  // Version 3 and older keep outputs per module: `modules[i].outputs.<name>` (shown as plain JSON).
  const sensitiveModuleOutputs = new Set<string>();
  const noteOutputs = (outputs: JsonValue | undefined, into: Set<string>) => {
    if (isObject(outputs)) for (const [name, o] of outputs) if (isObject(o) && o.get("sensitive") === true) into.add(name);
  };
  for (const doc of documents) {
    noteOutputs(isObject(doc) ? doc.get("outputs") : undefined, sensitiveOutputs);
    const modules = isObject(doc) ? doc.get("modules") : undefined;
    if (Array.isArray(modules)) for (const m of modules) noteOutputs(isObject(m) ? m.get("outputs") : undefined, sensitiveModuleOutputs);
    for (const { resource, instance } of instancesOf(doc)) {
      const names = sensitiveTopAttributes(instance);
      if (names.length === 0) continue;
      for (const n of names) anywhere.add(n);
      const rs = resourceSegment(resource);
      const is = instanceSegment(instance);
      if (rs === null) continue;
      note(byResource, rs, names);
      if (is !== null) note(byInstance, `${rs}\u0000${is}`, names);
    }
  }
  return {
    isSecretPath(path) {
      if (path[0] === "outputs") return path.length >= 3 && path[2] === "value" && sensitiveOutputs.has(path[1]);
      if (path[0] === "modules") return path.length >= 5 && path[2] === "outputs" && path[4] === "value" && sensitiveModuleOutputs.has(path[3]);
      if (path[0] !== "resources" || path[2] !== "instances" || path.length < 5) return false;
      if (path[4] === "private") return true;
      if (path[4] !== "attributes" || path.length < 6) return false;
      const [, resource, , instance, , attribute] = path;
      if (!resource.startsWith("[")) return anywhere.has(attribute);
      if (!instance.startsWith("[")) return byResource.get(resource)?.has(attribute) === true;
      return byInstance.get(`${resource}\u0000${instance}`)?.has(attribute) === true;
    },
  };
}
