// Conflicted-merge scenarios for the agreement suite: a base and two diverging branches with
// true conflicts, for each NixOps fixture, a tenant list with its policy file, a generic JSON
// file and an encrypted NixOps file. Each scenario also says, from its own inputs, which
// conflicts the merge must stop at, how people select them, and which strings are secrets.

import { createHash } from "node:crypto";
import type { JsonValue } from "../../src/core/values";
import { State, pyDumps } from "./fixtures";
import { copy, text } from "./tenants";
import { publicValues, secretValues } from "./secretValues";
import { setAt } from "./secretScenarios";

export type ProfileName = "nixops" | "json";
export type ConflictKind = "modify/modify" | "add/add" | "delete/modify" | "modify/delete";

export interface ExpectedConflict {
  /** The place as the driver's report writes it (keyed elements as `[id="globex"]`). */
  path: string[];
  kind: ConflictKind;
  /** How `conflicts` and the driver name the place for people. */
  where: string;
}

export interface Selection {
  /** As people type it after `resolve FILE`. */
  selector: string;
  /** The place it names, as report paths write it: it covers every conflict below. */
  place: string[];
}

export interface AgreementScenario {
  name: string;
  /** The state file's repository path. */
  file: string;
  profile: ProfileName;
  /** Lines for .gitattributes after install's own block (routing, git-crypt). */
  attributes: string;
  /** The policy file's text, or null for none. */
  policy: string | null;
  encrypted: boolean;
  base: string;
  ours: string;
  theirs: string;
  conflicts: ExpectedConflict[];
  selections: Selection[];
  /** Every secret value in the three versions; none may be printed. */
  secrets: string[];
  /** Strings printed at public places that may share bytes with a secret. */
  publics: string[];
}

/** A keyed-array element as the report names it. */
export const element = (field: string, id: string) => `[${field}=${JSON.stringify(id)}]`;

const PEM = (tag: string) =>
  `-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAA${tag}QUdSRUVNRU5UAAAAAAAAAAEAAAAzAAAAC3NzaC1lZD\n-----END OPENSSH PRIVATE KEY-----\n`;

/** A recognizable secret: its tag says which scenario, side and place planted it. */
function plantedSecret(old: string, tag: string): string {
  return old.includes("-----BEGIN") ? PEM(tag.replace(/[^A-Za-z0-9]/g, "")) : `agree-secret-${tag}-9f4c2e71`;
}

function rotateSecretsUnder(s: State, prefix: string[], tag: string): void {
  let n = 0;
  for (const { path, value } of secretValues(s.doc)) {
    if (prefix.every((k, i) => path[i] === k)) setAt(s.doc, path, plantedSecret(value, `${tag}-${n++}`));
  }
}

function secretPathsUnder(s: State, prefix: string[]): string[][] {
  return secretValues(s.doc)
    .map((v) => v.path)
    .filter((p) => prefix.every((k, i) => p[i] === k));
}

/** A NixOps place for people: deployment name (UUID), resource, attribute, inner path. */
function nixopsWhere(name: string, path: string[]): string {
  const words = [`deployment ${name} (${path[0]})`, `resource ${path[2]}`];
  if (path.length > 3) words.push(`attribute ${path[3]}`);
  if (path.length > 4) words.push(`inner path ${path.slice(4).join("/")}`);
  return words.join(", ");
}

/** A JSON Pointer with keyed elements by identity: `/tenants/globex/plan`. */
function pointer(path: string[]): string {
  return "/" + path.map((k) => /^\[[^=]+="(.*)"\]$/.exec(k)?.[1] ?? k.replace(/~/g, "~0").replace(/\//g, "~1")).join("/");
}

function slug(fixture: string): string {
  return fixture.replace(/\.export\.json$/, "");
}

/**
 * From a NixOps fixture: in the first deployment with two resources, both sides deploy the
 * first machine differently and rotate its secrets (plus one planted `keys` entry) differently;
 * ours deletes the next resource while theirs changes it.
 */
export function nixopsScenario(fixture: string, options: { file?: string; encrypted?: boolean } = {}): AgreementScenario {
  const name = slug(fixture);
  // Planted secrets carry a tag, not the fixture's name (which is printed as the file's name).
  const tag = createHash("sha256").update(name).digest("hex").slice(0, 8);
  const base = State.fixture(fixture);
  let uuid: string | undefined;
  let machine: string | undefined;
  let other: string | undefined;
  for (const u of base.doc.keys()) {
    const names = [...base.resources(u).keys()];
    const m = names.find((r) => base.get(u, r, "toplevel") !== undefined);
    if (names.length >= 2 && m !== undefined) {
      [uuid, machine, other] = [u, m, names.find((r) => r !== m)];
      break;
    }
  }
  if (!uuid || !machine || !other) throw new Error(`${fixture}: no deployment with a machine and another resource`);
  const deployment = base.deployment(uuid).get("name") as string;
  const machinePath = [uuid, "resources", machine];
  const otherPath = [uuid, "resources", other];

  // A planted key, so every fixture's machine has a keys.*.text secret.
  const planted = new Map<string, JsonValue>([
    ["text", `agree-secret-${tag}-base-planted-5b8d03aa`],
    ["user", "root"],
    ["group", "root"],
    ["permissions", "0400"],
  ]);
  const keys = base.get(uuid, machine, "keys");
  if (keys === undefined) base.set(uuid, machine, "keys", pyDumps(new Map([["agree-planted", planted]])));
  else base.setInner(uuid, machine, "keys", ["agree-planted"], planted);

  const branch = (side: "ours" | "theirs") => {
    const s = base.clone();
    s.set(uuid, machine, "toplevel", `/nix/store/${side.padEnd(32, "0")}-nixos-system-${machine}-${side}`);
    rotateSecretsUnder(s, machinePath, `${tag}-${side}`);
    return s;
  };
  const ours = branch("ours").remove(uuid, other);
  const theirs = branch("theirs");
  const before = theirs.text();
  if (theirs.get(uuid, other, "toplevel") !== undefined) theirs.set(uuid, other, "toplevel", `/nix/store/${"theirs".padEnd(32, "1")}-nixos-system-${other}`);
  rotateSecretsUnder(theirs, otherPath, `${tag}-theirs-other`);
  if (theirs.text() === before) theirs.set(uuid, other, "index", "99");

  const conflicts: ExpectedConflict[] = [
    ...[[...machinePath, "toplevel"], ...secretPathsUnder(base, machinePath)].map((path) => ({ path, kind: "modify/modify" as const, where: nixopsWhere(deployment, path) })),
    { path: otherPath, kind: "delete/modify", where: nixopsWhere(deployment, otherPath) },
  ];
  const file = options.file ?? `${name}.nixops.json`;
  return {
    name: options.encrypted ? `${name} (git-crypt)` : name,
    file,
    profile: "nixops",
    attributes: options.encrypted ? `${file} filter=git-crypt diff=statefile merge=statefile\n` : "",
    policy: null,
    encrypted: options.encrypted === true,
    base: base.text(),
    ours: ours.text(),
    theirs: theirs.text(),
    conflicts,
    selections: [
      { selector: `${deployment}/${machine}`, place: machinePath },
      { selector: `${deployment}/${other}`, place: otherPath },
    ],
    ...secretsOfNixops([base, ours, theirs]),
  };
}

function secretsOfNixops(states: State[]): { secrets: string[]; publics: string[] } {
  return {
    secrets: [...new Set(states.flatMap((s) => secretValues(s.doc).map((v) => v.value)))],
    publics: states.flatMap((s) => publicValues(s.doc)),
  };
}

// ---- the tenant list --------------------------------------------------------------------

export interface TenantRow {
  id: string;
  plan: string;
  seats: number;
  licenseKey: string;
}

export const TENANT_POLICY = JSON.stringify(
  { version: 1, files: { "tenants.json": { profile: "json", keyedArrays: { "/tenants": "id" }, secretNames: ["licenseKey"] } } },
  null,
  2,
) + "\n";

const licenseKey = (id: string, version: string) => `agree-license-${id}-${version}-7c1d5e90`;
const tenantRow = (id: string, plan = "basic", seats = 5): TenantRow => ({ id, plan, seats, licenseKey: licenseKey(id, "base") });

export interface TenantLists {
  base: { tenants: TenantRow[] };
  ours: { tenants: TenantRow[] };
  theirs: { tenants: TenantRow[] };
}

/**
 * Ours changes globex, theirs deletes it; both add umbrella with another plan and key; both
 * change initech's plan and rotate acme's key differently; theirs alone changes hooli's seats;
 * nobody touches wayne.
 */
export function tenantLists(): TenantLists {
  const base = { tenants: ["acme", "globex", "initech", "hooli", "wayne"].map((id) => tenantRow(id)) };
  const ours = copy(base);
  const theirs = copy(base);
  const at = (list: { tenants: TenantRow[] }, id: string) => list.tenants.find((t) => t.id === id)!;
  Object.assign(at(ours, "globex"), { plan: "enterprise", seats: 50 });
  theirs.tenants = theirs.tenants.filter((t) => t.id !== "globex");
  ours.tenants.push({ id: "umbrella", plan: "basic", seats: 3, licenseKey: licenseKey("umbrella", "ours") });
  theirs.tenants.push({ id: "umbrella", plan: "enterprise", seats: 3, licenseKey: licenseKey("umbrella", "theirs") });
  at(ours, "initech").plan = "pro";
  at(theirs, "initech").plan = "team";
  at(ours, "acme").licenseKey = licenseKey("acme", "ours");
  at(theirs, "acme").licenseKey = licenseKey("acme", "theirs");
  at(theirs, "hooli").seats = 12;
  return { base, ours, theirs };
}

export function tenantScenario(): AgreementScenario {
  const lists = tenantLists();
  const t = (id: string) => ["tenants", element("id", id)];
  // Two elements added under one identity with different content are one conflict, as two
  // machines created under one name are (test/core/mergeKeyedArrays.test.ts).
  const conflicts: Array<Omit<ExpectedConflict, "where">> = [
    { path: t("globex"), kind: "modify/delete" },
    { path: t("umbrella"), kind: "add/add" },
    { path: [...t("initech"), "plan"], kind: "modify/modify" },
    { path: [...t("acme"), "licenseKey"], kind: "modify/modify" },
  ];
  const all = [lists.base, lists.ours, lists.theirs];
  return {
    name: "tenant list with a policy file",
    file: "tenants.json",
    profile: "json",
    attributes: "tenants.json merge=statefile diff=statefile\n",
    policy: TENANT_POLICY,
    encrypted: false,
    base: text(lists.base),
    ours: text(lists.ours),
    theirs: text(lists.theirs),
    conflicts: conflicts.map((c) => ({ ...c, where: pointer(c.path) })),
    selections: [
      { selector: "globex", place: t("globex") },
      { selector: "tenants/umbrella", place: t("umbrella") },
      { selector: "/tenants/initech/plan", place: [...t("initech"), "plan"] },
      { selector: "acme", place: t("acme") },
    ],
    secrets: [...new Set(all.flatMap((l) => l.tenants.map((x) => x.licenseKey)))],
    publics: [],
  };
}

// ---- a generic JSON file ----------------------------------------------------------------

const dbPassword = (version: string) => `agree-db-password-${version}-3e6f1a2b`;

interface Services {
  version: number;
  region: string;
  services: Record<string, Record<string, unknown>>;
}

function services(): Services {
  return {
    version: 3,
    region: "eu-west-1",
    services: {
      web: { image: "registry.example.org/web:1.0", replicas: 2, env: { LOG_LEVEL: "info", HTTP_PROXY: null, DB_PASSWORD: dbPassword("base") } },
      worker: { image: "registry.example.org/worker:1.0", replicas: 1 },
      cron: { image: "registry.example.org/cron:1.0", schedule: "*/5 * * * *" },
    },
  };
}

/**
 * A file no policy entry names, routed to the driver by .gitattributes: both sides change the
 * web image and the database password; ours deletes the worker that theirs upgrades; both add
 * a cache with a different memory limit; theirs alone changes the cron schedule and drops a
 * null setting.
 */
export function genericScenario(): AgreementScenario {
  const base = services();
  const ours = services();
  const theirs = services();
  ours.services.web.image = "registry.example.org/web:1.1-ours";
  theirs.services.web.image = "registry.example.org/web:1.2-theirs";
  ours.services.web.env = { LOG_LEVEL: "info", HTTP_PROXY: null, DB_PASSWORD: dbPassword("ours") };
  // Theirs also drops a setting whose value is null: a change like any other.
  theirs.services.web.env = { LOG_LEVEL: "info", DB_PASSWORD: dbPassword("theirs") };
  delete ours.services.worker;
  theirs.services.worker.image = "registry.example.org/worker:2.0";
  ours.services.cache = { image: "redis:7", maxmemory: "256mb" };
  theirs.services.cache = { image: "redis:7", maxmemory: "1gb" };
  theirs.services.cron.schedule = "*/10 * * * *";
  const conflicts: Array<Omit<ExpectedConflict, "where">> = [
    { path: ["services", "web", "image"], kind: "modify/modify" },
    { path: ["services", "web", "env", "DB_PASSWORD"], kind: "modify/modify" },
    { path: ["services", "worker"], kind: "delete/modify" },
    { path: ["services", "cache", "maxmemory"], kind: "add/add" },
  ];
  return {
    name: "generic JSON routed by .gitattributes",
    file: "config/services.json",
    profile: "json",
    attributes: "config/*.json merge=statefile diff=statefile\n",
    // A policy file for other files: this one has no entry.
    policy: TENANT_POLICY,
    encrypted: false,
    base: text(base),
    ours: text(ours),
    theirs: text(theirs),
    conflicts: conflicts.map((c) => ({ ...c, where: pointer(c.path) })),
    selections: [
      { selector: "services/web", place: ["services", "web"] },
      { selector: "/services/worker", place: ["services", "worker"] },
      { selector: "services/cache", place: ["services", "cache"] },
    ],
    secrets: ["base", "ours", "theirs"].map(dbPassword),
    publics: [],
  };
}

// ---- reading values back ----------------------------------------------------------------

/** Nothing at that place (deleted, or never there). */
export const MISSING = Symbol("missing");

/**
 * The value at a report path in a document parsed with JSON.parse: keyed elements found by
 * identity, and (in NixOps files) attribute strings holding JSON opened on the way down.
 */
export function valueAtPath(doc: unknown, path: readonly string[]): unknown {
  let node: unknown = doc;
  for (const key of path) {
    if (typeof node === "string" && /^[[{]/.test(node)) node = JSON.parse(node) as unknown;
    const keyed = /^\[([^=\]]+)=(.*)\]$/s.exec(key);
    if (Array.isArray(node) && keyed) {
      node = node.find((e: unknown) => e !== null && typeof e === "object" && JSON.stringify((e as Record<string, unknown>)[keyed[1]]) === keyed[2]) ?? MISSING;
    } else if (node !== null && typeof node === "object" && !Array.isArray(node) && Object.prototype.hasOwnProperty.call(node, key)) {
      node = (node as Record<string, unknown>)[key];
    } else return MISSING;
    if (node === MISSING) return MISSING;
  }
  return node;
}

/** Whether `path` lies at or below `place`. */
export function under(place: readonly string[], path: readonly string[]): boolean {
  return place.length <= path.length && place.every((k, i) => path[i] === k);
}

/**
 * The places where two parsed JSON documents differ, as `diff` names them for people: objects
 * key by key, anything else as one value; `~` changed, `+` added, `-` removed.
 */
export function changedPlaces(before: unknown, after: unknown, path: string[] = []): string[] {
  const isRecord = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === "object" && !Array.isArray(v);
  if (isRecord(before) && isRecord(after)) {
    const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])];
    return keys.flatMap((k) => {
      if (!(k in after)) return [`- ${[...path, k].join("/")}`];
      if (!(k in before)) return [`+ ${[...path, k].join("/")}`];
      return changedPlaces(before[k], after[k], [...path, k]);
    });
  }
  return JSON.stringify(before) === JSON.stringify(after) ? [] : [`~ ${path.join("/")}`];
}

/** The places `diff` must name between two tenant lists: tenants by id, then their fields. */
export function changedTenants(before: { tenants: TenantRow[] }, after: { tenants: TenantRow[] }): string[] {
  const byId = (l: { tenants: TenantRow[] }) => Object.fromEntries(l.tenants.map((t) => [t.id, t]));
  return changedPlaces({ tenants: byId(before) }, { tenants: byId(after) });
}
