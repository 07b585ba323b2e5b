// Builders for tenant registries (the JSON a multi-tenant deployment reads with
// builtins.fromJSON) and a reader for conflict markers, shared by the tenant tests.

import { parseJson } from "../../src/formats/parseJson";
import { JsonNumber, type JsonValue } from "../../src/core/values";

export interface Domain {
  name: string;
  tls: boolean;
}
export interface Tenant {
  id: string;
  name: string;
  plan: string;
  domains: Domain[];
}
export interface Registry {
  generatedBy: string;
  tenants: Tenant[];
}

export function tenant(id: string, extra: Partial<Tenant> = {}): Tenant {
  return { id, name: id.toUpperCase() + " Inc.", plan: "basic", domains: [{ name: `${id}.example.org`, tls: true }], ...extra };
}

export function registry(...ids: string[]): Registry {
  return { generatedBy: "tenant-db export", tenants: ids.map((id) => tenant(id)) };
}

/** A deep copy to change for one branch. */
export function copy<T>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}

export function find(r: Registry, id: string): Tenant {
  const t = r.tenants.find((x) => x.id === id);
  if (!t) throw new Error(`no tenant ${id}`);
  return t;
}

/** The text a database export writes: two-space indent, final newline. */
export function text(r: unknown, indent: string | number = 2, newline = "\n"): string {
  return JSON.stringify(r, null, indent).replace(/\n/g, newline) + newline;
}

/** The file with every conflict hunk settled to one side (what "accept ours/theirs" gives). */
export function takeSide(merged: string, side: "ours" | "theirs"): string {
  const out: string[] = [];
  let state: "out" | "ours" | "base" | "theirs" = "out";
  for (const line of merged.split(/(?<=\n)/)) {
    if (/^<{7}/.test(line)) state = "ours";
    else if (/^\|{7}/.test(line)) state = "base";
    else if (/^={7}\r?\n?$/.test(line)) state = "theirs";
    else if (/^>{7}/.test(line)) state = "out";
    else if (state === "out" || state === side) out.push(line);
  }
  return out.join("");
}

/** Parsed JSON as plain JavaScript (Maps as objects, numbers as numbers), for deep equality. */
export function plain(v: JsonValue): unknown {
  if (v instanceof Map) return Object.fromEntries([...v].map(([k, x]) => [k, plain(x)]));
  if (Array.isArray(v)) return v.map(plain);
  if (v instanceof JsonNumber) return Number(v.text);
  return v;
}

export function parsePlain(t: string): unknown {
  return plain(parseJson(t).value);
}
