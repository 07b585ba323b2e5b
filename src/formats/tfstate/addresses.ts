// Terraform's names for the records of a state: resources by (module, mode, type, name),
// instances by (index key, deposed key), and the addresses people read in plans:
// `module.db.aws_db_instance.main`, `aws_instance.web[1]`, `aws_instance.app["a"] (deposed 1a2b)`.

import { isObject, JsonNumber, type JsonObject, type JsonValue, type Path } from "../../core/values";
import { elementSegment, identityOf } from "../../core/mergeKeyedArrays";

export const RESOURCE_KEY = ["module", "mode", "type", "name"] as const;
export const INSTANCE_KEY = ["index_key", "deposed"] as const;

export function isInstancePath(path: Path): boolean {
  return path.length === 4 && path[0] === "resources" && path[2] === "instances";
}

export function isOutputPath(path: Path): boolean {
  return path.length === 2 && path[0] === "outputs";
}

/** The path segment the merge gives a resource or an instance (see mergeKeyedArrays). */
export function resourceSegment(resource: JsonValue): string | null {
  const id = identityOf(resource, RESOURCE_KEY);
  return id === null ? null : elementSegment(RESOURCE_KEY, id);
}

export function instanceSegment(instance: JsonValue): string | null {
  const id = identityOf(instance, INSTANCE_KEY);
  return id === null ? null : elementSegment(INSTANCE_KEY, id);
}

/** The values of a composite segment `[f1,f2=v1,v2]` (an absent field as null), or null. */
function segmentValues(segment: string): (string | number | null)[] | null {
  const m = /^\[[^=\]]*=(.*)\]$/s.exec(segment);
  if (!m) return null;
  try {
    const values: unknown = JSON.parse(`[${m[1]}]`);
    return Array.isArray(values) ? (values as (string | number | null)[]) : null;
  } catch {
    return null;
  }
}

export function resourceAddress(module: unknown, mode: unknown, type: unknown, name: unknown): string {
  const prefix = typeof module === "string" && module !== "" ? module + "." : "";
  return `${prefix}${mode === "data" ? "data." : ""}${String(type)}.${String(name)}`;
}

export function addressOfResource(r: JsonObject): string {
  return resourceAddress(r.get("module"), r.get("mode"), r.get("type"), r.get("name"));
}

export function indexText(key: unknown): string {
  if (key instanceof JsonNumber) return `[${key.text}]`;
  if (typeof key === "number") return `[${key}]`;
  if (typeof key === "string") return `[${JSON.stringify(key)}]`;
  return "";
}

export function deposedText(deposed: unknown): string {
  return typeof deposed === "string" && deposed !== "" ? ` (deposed object ${deposed})` : "";
}

/** A merge path in words: `resource aws_instance.web[1], attribute tags.Env`, `output db_url`. */
export function describeStatePath(path: Path): string {
  if (path.length === 0) return "the whole file";
  if (path[0] === "outputs" && path.length >= 2) return `output ${path[1]}` + rest(path.slice(2));
  if (path[0] === "resources" && path.length >= 2) {
    const r = segmentValues(path[1]);
    if (!r || r.length !== 4) return path.join("/");
    let address = resourceAddress(r[0], r[1], r[2], r[3]);
    let tail = path.slice(2);
    if (tail[0] === "instances" && tail.length >= 2) {
      const i = segmentValues(tail[1]);
      if (i && i.length === 2) address += indexText(i[0]) + deposedText(i[1]);
      tail = tail.slice(2);
      if (tail[0] === "attributes") tail = tail.slice(1);
      else if (tail.length > 0) return `resource ${address}, field ${tail.join(".")}`;
    }
    return `resource ${address}` + rest(tail);
  }
  return path.join(".");
}

function rest(path: Path): string {
  return path.length === 0 ? "" : `, attribute ${path.join(".")}`;
}

/** Every (resource, instance) of a state, with their array positions, for walks over documents. */
export function* instancesOf(doc: unknown): Generator<{ resource: JsonObject; instance: JsonObject; r: number; i: number }> {
  const resources = isObject(doc) ? doc.get("resources") : undefined;
  if (!Array.isArray(resources)) return;
  for (let r = 0; r < resources.length; r++) {
    const resource = resources[r];
    const instances = isObject(resource) ? resource.get("instances") : undefined;
    if (!isObject(resource) || !Array.isArray(instances)) continue;
    for (let i = 0; i < instances.length; i++) {
      const instance = instances[i];
      if (isObject(instance)) yield { resource, instance, r, i };
    }
  }
}
