// fast-check arbitraries for NixOps-shaped states (what `nixops export --all` prints) and for
// merge triples derived from one base by the edits real deploys make. States are plain
// documents (Maps of strings, embedded JSON still as text), exactly like `State.doc`.
//
//   nixopsState()   1-3 deployments keyed by UUID, resources of types ec2 / virtualbox / none /
//                   hcloud / hcloud-volume / ebs-volume, with identity attributes, embedded JSON
//                   (`keys` with secret `text`, `ec2.tags` with CharonStateFile, `args`, ...)
//   nixopsTriple()  { base, ours, theirs }: ours and theirs are the base after random edits,
//                   sometimes sharing edits, drawn from small value pools so that they collide.
//   renderState()   the bytes NixOps would print for a state (py3 or py2 separators).

import fc from "fast-check";
import { JsonNumber, isObject, type JsonObject, type JsonValue } from "../../src/core/values";
import { parseJson } from "../../src/formats/parseJson";
import type { PythonSeparators } from "../../src/formats/nixopsExport";
import { State, pyDumps } from "./fixtures";

export type Doc = JsonObject;

export interface Triple {
  base: Doc;
  ours: Doc;
  theirs: Doc;
  separators: PythonSeparators;
  /** The edits each side made, for reading a counterexample. */
  oursEdits: Edit[];
  theirsEdits: Edit[];
}

/** The bytes `nixops export --all` would print for this state. */
export function renderState(doc: Doc, separators: PythonSeparators = "py3"): string {
  return new State(doc, separators).text();
}

export function tripleTexts(t: Triple): { base: string; ours: string; theirs: string } {
  return { base: renderState(t.base, t.separators), ours: renderState(t.ours, t.separators), theirs: renderState(t.theirs, t.separators) };
}

export function cloneDoc<T extends JsonValue>(v: T): T {
  if (isObject(v)) return new Map([...(v as JsonObject)].map(([k, x]) => [k, cloneDoc(x)])) as T;
  if (Array.isArray(v)) return v.map(cloneDoc) as T;
  return v;
}

// ---------------------------------------------------------------------------------------------
// Leaves

/** Short text pieces with non-ASCII, quotes, backslashes and newlines; never starts with { or [. */
const PIECES = ["alpha", "beta", "café", "Zürich", "日本", "😀", "O’Brien", "a\"b", "c\\d", "line\nbreak", "tab\there", "\u2028", "\u007f", " ", "x"];
export const text = (): fc.Arbitrary<string> =>
  fc.array(fc.constantFrom(...PIECES), { minLength: 1, maxLength: 3 }).map((parts) => "t" + parts.join(""));

const HASH_CHARS = "0123456789abcdfghijklmnpqrsvwxyz".split("");
const nixHash = fc.string({ unit: fc.constantFrom(...HASH_CHARS), minLength: 32, maxLength: 32 });
export const storePath = (suffix: string): fc.Arbitrary<string> => nixHash.map((h) => `/nix/store/${h}-${suffix}`);

const hex = (n: number) => fc.string({ unit: fc.constantFrom(..."0123456789abcdef".split("")), minLength: n, maxLength: n });
const epoch = fc.integer({ min: 1_600_000_000, max: 1_800_000_000 }).map(String);
const ipv4 = fc.tuple(fc.nat(255), fc.nat(255), fc.nat(255), fc.nat(255)).map((p) => p.join("."));
const stateEnum = fc.constantFrom("0", "1", "2", "3", "4", "5", "6", "7");

/** Small pools so that two sides often pick the same attribute or the same value. */
export const VALUE_POOL = ["3", "5", "eu-west-1", "c5.large", "10.0.0.1", "café", "Zürich 😀", "a\"b\\c", "line\nbreak"];
export const ATTR_POOL = ["state", "toplevel", "publicIpv4", "description", "note"];
export const INNER_POOL = ["Team", "Environment", "text", "user", "permissions", "replicas", "extra"];
const RESOURCE_NAMES = ["app1", "app2", "db", "web", "lb1", "cache", "backup", "worker"];
const DEPLOYMENT_NAMES = ["prod", "staging", "dev", "tenant-acme", "shared-db", "ünïcode"];

// ---------------------------------------------------------------------------------------------
// Embedded JSON (written by Python's json.dumps: insertion order, ", " and ": ")

const keysBlob = fc
  .dictionary(fc.constantFrom("app-env", "grafana-admin-password", "tls-key", "db-pass"), fc.record({ text: text(), user: fc.constantFrom("app", "root", "grafana"), group: fc.constantFrom("app", "keys"), permissions: fc.constantFrom("0400", "0640") }), { minKeys: 1, maxKeys: 2 })
  .map((keys) => {
    const m = new Map<string, JsonValue>();
    for (const [name, k] of Object.entries(keys)) {
      m.set(
        name,
        new Map<string, JsonValue>([
          ["path", `/run/keys/${name}`],
          ["name", name],
          ["text", `SECRET-${k.text}\n`],
          ["user", k.user],
          ["destDir", "/run/keys"],
          ["permissions", k.permissions],
          ["keyCommand", null],
          ["keyFile", null],
          ["group", k.group],
        ]),
      );
    }
    return pyDumps(m);
  });

function ec2Tags(uuid: string, name: string, deployment: string, user: string, team: string): string {
  return pyDumps(
    new Map<string, JsonValue>([
      ["Name", `${deployment} [${name}]`],
      ["Team", team],
      ["CharonNetworkUUID", uuid],
      ["CharonMachineName", name],
      ["CharonStateFile", `${user}:/tmp/tmpabcnixops/state.nixops`],
      ["CharonNetworkName", deployment],
    ]),
  );
}

const args = fc.dictionary(fc.constantFrom("domain", "replicas", "environment", "tenant"), text(), { maxKeys: 3 }).map((a) => pyDumps(new Map(Object.entries(a).map(([k, v]) => [k, JSON.stringify(v)]))));
const nixPath = fc.array(fc.constantFrom("nixpkgs=/home/alice/nixpkgs", "/home/bob/extra", "nixpkgs=https://example.org/nixos-23.05.tar.gz"), { minLength: 1, maxLength: 2 }).map((l) => pyDumps(l));

// ---------------------------------------------------------------------------------------------
// Resources

type Attrs = Record<string, string>;
type ResourceTemplate = (uuid: string, name: string, deployment: string) => Attrs;

const common = fc.record({
  creationTime: epoch,
  configsPath: storePath("nixops-machines"),
  toplevel: storePath("nixos-system"),
  state: stateEnum,
  index: fc.nat(9).map(String),
  keys: fc.option(keysBlob, { nil: undefined }),
  user: fc.constantFrom("alice@alice-laptop", "bob@büro"),
  team: text(),
});

const ec2: fc.Arbitrary<ResourceTemplate> = fc.record({ c: common, vm: hex(17), ip: ipv4, vol: hex(17), zone: fc.constantFrom("eu-west-1a", "eu-west-1b") }).map(({ c, vm, ip, vol, zone }) => (uuid, name, deployment) =>
  clean({
    ...machine(c),
    type: "ec2",
    vmId: `i-${vm}`,
    publicIpv4: ip,
    "ec2.zone": zone,
    "ec2.tags": ec2Tags(uuid, name, deployment, c.user, c.team),
    "ec2.blockDeviceMapping": pyDumps(new Map([["/dev/xvda", new Map<string, JsonValue>([["volumeId", `vol-${vol}`], ["partOfImage", true]])]])),
    "ec2.securityGroups": pyDumps([`charon-${uuid}-ssh-sg`]),
  }),
);

const virtualbox: fc.Arbitrary<ResourceTemplate> = fc.record({ c: common, ip: ipv4 }).map(({ c, ip }) => (uuid, name) =>
  clean({
    ...machine(c),
    type: "virtualbox",
    vmId: `nixops-${uuid}-${name}`, // derived from the name: a re-created VM keeps it
    privateIpv4: ip,
    "virtualbox.disks": pyDumps(new Map([["disk1", new Map<string, JsonValue>([["created", true], ["path", `/home/alice/VirtualBox VMs/${name}/disk1.vdi`], ["attached", true], ["port", new JsonNumber("0")]])]])),
    "virtualbox.privateHostKey": "-----BEGIN OPENSSH PRIVATE KEY-----\nAAAA\n-----END OPENSSH PRIVATE KEY-----\n",
  }),
);

const none: fc.Arbitrary<ResourceTemplate> = fc.record({ c: common, ip: ipv4, host: text() }).map(({ c, ip, host }) => (uuid, name) =>
  clean({ ...machine(c), type: "none", vmId: `nixops-${uuid}-${name}`, publicIpv4: ip, targetHost: host, "none.sshPrivateKey": "-----BEGIN OPENSSH PRIVATE KEY-----\nBBBB\n-----END OPENSSH PRIVATE KEY-----\n" }),
);

const hcloud: fc.Arbitrary<ResourceTemplate> = fc.record({ c: common, id: fc.integer({ min: 1_000_000, max: 99_999_999 }), vol: fc.option(fc.integer({ min: 1, max: 99_999_999 }), { nil: undefined }) }).map(({ c, id, vol }) => () =>
  clean({
    ...machine(c),
    type: "hcloud",
    vmId: String(id),
    "hcloud.location": "nbg1",
    "hcloud.token": "qK7tZ3wR9mX2vB8nL4pH6jD1sF5g",
    "hcloud.volumeIds": pyDumps(vol === undefined ? [] : [new JsonNumber(String(vol))]),
    "hcloud.filesystems": "{}",
  }),
);

const hcloudVolume: fc.Arbitrary<ResourceTemplate> = fc.record({ t: epoch, id: fc.integer({ min: 1, max: 99_999_999 }), size: fc.constantFrom("10", "50") }).map(({ t, id, size }) => (uuid, name) => ({
  creationTime: t,
  "hcloud.id": String(id),
  "hcloud.name": `nixops-${uuid}-${name}`,
  "hcloud.size": size,
  "hcloud.token": "qK7tZ3wR9mX2vB8nL4pH6jD1sF5g",
  type: "hcloud-volume",
}));

const ebsVolume: fc.Arbitrary<ResourceTemplate> = fc.record({ t: epoch, vol: hex(17), c: common }).map(({ t, vol, c }) => (uuid, name, deployment) => ({
  creationTime: t,
  "ec2.volumeId": `vol-${vol}`,
  "ec2.region": "eu-west-1",
  "ec2.size": "50",
  "ec2.tags": ec2Tags(uuid, name, deployment, c.user, c.team),
  type: "ebs-volume",
}));

function machine(c: { creationTime: string; configsPath: string; toplevel: string; state: string; index: string; keys?: string }): Attrs {
  return { creationTime: c.creationTime, configsPath: c.configsPath, toplevel: c.toplevel, state: c.state, index: c.index, stateVersion: "23.05", targetPort: "22", ...(c.keys ? { keys: c.keys } : {}) };
}

function clean(a: Record<string, string | undefined>): Attrs {
  return Object.fromEntries(Object.entries(a).filter((e): e is [string, string] => e[1] !== undefined));
}

export const resourceTemplate = (): fc.Arbitrary<ResourceTemplate> => fc.oneof(ec2, ec2, virtualbox, none, hcloud, hcloudVolume, ebsVolume);

const toRecord = (a: Attrs): JsonObject => new Map(Object.entries(a).sort(([x], [y]) => (x < y ? -1 : x > y ? 1 : 0)));

// ---------------------------------------------------------------------------------------------
// Deployments and states

interface DeploymentParts {
  uuid: string;
  name: string;
  configsPath: string;
  description?: string;
  args: string;
  nixPath?: string;
  rollbackEnabled?: string;
  resources: [string, ResourceTemplate][];
}

const deploymentParts: fc.Arbitrary<DeploymentParts> = fc.record({
  uuid: fc.uuid({ version: 1 }),
  name: fc.constantFrom(...DEPLOYMENT_NAMES),
  configsPath: storePath("nixops-machines"),
  description: fc.option(text(), { nil: undefined }),
  args,
  nixPath: fc.option(nixPath, { nil: undefined }),
  rollbackEnabled: fc.option(fc.constant("1"), { nil: undefined }),
  resources: fc.uniqueArray(fc.tuple(fc.constantFrom(...RESOURCE_NAMES), resourceTemplate()), { maxLength: 4, selector: ([n]) => n }),
});

function buildDeployment(p: DeploymentParts): JsonObject {
  const resources: JsonObject = new Map(p.resources.map(([n, t]) => [n, toRecord(t(p.uuid, n, p.name))]));
  const attrs = clean({ name: p.name, configsPath: p.configsPath, description: p.description, args: p.args, nixPath: p.nixPath, rollbackEnabled: p.rollbackEnabled });
  const d = toRecord(attrs);
  d.set("resources", resources);
  return d;
}

/** A state as NixOps exports it: 1-3 deployments keyed by UUID (0-3 with `allowEmpty`). */
export function nixopsState(options: { allowEmpty?: boolean } = {}): fc.Arbitrary<Doc> {
  return fc
    .uniqueArray(deploymentParts, { minLength: options.allowEmpty ? 0 : 1, maxLength: 3, selector: (d) => d.uuid })
    .map((ds) => new Map(ds.map((d) => [d.uuid, buildDeployment(d)] as [string, JsonValue])));
}

// ---------------------------------------------------------------------------------------------
// Edits: indices pick existing deployments, resources and attributes modulo their count, so
// that an edit applies to any base and shrinks well.

export type Edit =
  | { kind: "setAttr"; d: number; r: number | null; attr: string; value: string }
  | { kind: "deleteAttr"; d: number; r: number | null; a: number }
  | { kind: "addResource"; d: number; name: string; template: ResourceTemplate }
  | { kind: "deleteResource"; d: number; r: number }
  | { kind: "recreateResource"; d: number; r: number; creationTime: string; vmId: string; ip: string }
  | { kind: "setInner"; d: number; r: number | null; a: number; k: number; key: string | null; value: string | null }
  | { kind: "reorderEmbedded"; d: number; r: number | null; a: number; shift: number }
  | { kind: "touchVolatile"; d: number; r: number | null; what: "configsPath" | "CharonStateFile"; value: string }
  | { kind: "deploy"; d: number; configsPath: string; shift: number }
  | { kind: "addDeployment"; parts: DeploymentParts }
  | { kind: "deleteDeployment"; d: number };

// Mostly small, so that both sides often pick the same deployment, resource and attribute.
const idx = fc.oneof({ weight: 4, arbitrary: fc.nat(2) }, { weight: 1, arbitrary: fc.nat(30) });
const optIdx = fc.option(idx, { nil: null, freq: 3 });
const poolValue = fc.oneof(fc.constantFrom(...VALUE_POOL), text());

export const edit = (): fc.Arbitrary<Edit> =>
  fc.oneof(
    { weight: 6, arbitrary: fc.record({ kind: fc.constant("setAttr" as const), d: idx, r: optIdx, attr: fc.constantFrom(...ATTR_POOL), value: poolValue }) },
    { weight: 2, arbitrary: fc.record({ kind: fc.constant("deleteAttr" as const), d: idx, r: optIdx, a: idx }) },
    { weight: 2, arbitrary: fc.record({ kind: fc.constant("addResource" as const), d: idx, name: fc.constantFrom(...RESOURCE_NAMES, "new1", "new2"), template: resourceTemplate() }) },
    { weight: 1, arbitrary: fc.record({ kind: fc.constant("deleteResource" as const), d: idx, r: idx }) },
    { weight: 1, arbitrary: fc.record({ kind: fc.constant("recreateResource" as const), d: idx, r: idx, creationTime: epoch, vmId: hex(17).map((h) => `i-${h}`), ip: ipv4 }) },
    { weight: 5, arbitrary: fc.record({ kind: fc.constant("setInner" as const), d: idx, r: optIdx, a: idx, k: idx, key: fc.option(fc.constantFrom(...INNER_POOL), { nil: null }), value: fc.option(poolValue, { nil: null, freq: 4 }) }) },
    { weight: 2, arbitrary: fc.record({ kind: fc.constant("reorderEmbedded" as const), d: idx, r: optIdx, a: idx, shift: fc.integer({ min: 1, max: 5 }) }) },
    { weight: 3, arbitrary: fc.record({ kind: fc.constant("touchVolatile" as const), d: idx, r: optIdx, what: fc.constantFrom("configsPath" as const, "CharonStateFile" as const), value: fc.oneof(storePath("nixops-machines"), fc.constantFrom("bob@bob-pc:/tmp/tmp1nixops/state.nixops", "carol@büro:/tmp/tmp2nixops/state.nixops")) }) },
    { weight: 1, arbitrary: fc.record({ kind: fc.constant("deploy" as const), d: idx, configsPath: storePath("nixops-machines"), shift: fc.integer({ min: 1, max: 5 }) }) },
    { weight: 1, arbitrary: fc.record({ kind: fc.constant("addDeployment" as const), parts: deploymentParts }) },
    { weight: 1, arbitrary: fc.record({ kind: fc.constant("deleteDeployment" as const), d: idx }) },
  );

/** The same attribute or inner key set on both sides, to values that may differ. */
const collision: fc.Arbitrary<[Edit, Edit]> = fc
  .record({ d: idx, r: optIdx, attr: fc.constantFrom(...ATTR_POOL), a: idx, k: idx, key: fc.constantFrom(...INNER_POOL), inner: fc.boolean(), values: fc.tuple(poolValue, poolValue) })
  .map(({ d, r, attr, a, k, key, inner, values }) =>
    inner
      ? [{ kind: "setInner", d, r, a, k, key, value: values[0] }, { kind: "setInner", d, r, a, k, key, value: values[1] }]
      : [{ kind: "setAttr", d, r, attr, value: values[0] }, { kind: "setAttr", d, r, attr, value: values[1] }],
  );

function pick<T>(items: T[], i: number): T | undefined {
  return items.length === 0 ? undefined : items[i % items.length];
}

function deploymentAt(doc: Doc, d: number): JsonObject | undefined {
  const key = pick([...doc.keys()], d);
  return key === undefined ? undefined : (doc.get(key) as JsonObject);
}

function resourcesOf(dep: JsonObject): JsonObject {
  return dep.get("resources") as JsonObject;
}

/** The deployment itself (r null) or one of its resources. */
function recordAt(doc: Doc, d: number, r: number | null): JsonObject | undefined {
  const dep = deploymentAt(doc, d);
  if (!dep || r === null) return dep;
  const name = pick([...resourcesOf(dep).keys()], r);
  return name === undefined ? undefined : (resourcesOf(dep).get(name) as JsonObject);
}

const isEmbeddedObject = (v: JsonValue | undefined): v is string => typeof v === "string" && v.startsWith("{");

/** Attribute names holding embedded JSON objects (not `resources`). */
function embeddedAttrs(record: JsonObject): string[] {
  return [...record.keys()].filter((k) => k !== "resources" && isEmbeddedObject(record.get(k)));
}

/** Rotates the keys of every object by `shift`: the same value, other text. */
function rotated(v: JsonValue, shift: number): JsonValue {
  if (Array.isArray(v)) return v.map((x) => rotated(x, shift));
  if (!isObject(v)) return v;
  const entries = [...v].map(([k, x]) => [k, rotated(x, shift)] as [string, JsonValue]);
  const s = entries.length ? shift % entries.length : 0;
  return new Map([...entries.slice(s), ...entries.slice(0, s)]);
}

export function applyEdit(doc: Doc, e: Edit): void {
  switch (e.kind) {
    case "setAttr": {
      const rec = recordAt(doc, e.d, e.r);
      if (rec && e.attr !== "resources") rec.set(e.attr, e.value);
      return;
    }
    case "deleteAttr": {
      const rec = recordAt(doc, e.d, e.r);
      // A resource keeps its type and a deployment its resources: NixOps cannot lose those.
      const attr = rec && pick([...rec.keys()].filter((k) => k !== "type" && k !== "resources"), e.a);
      if (rec && attr !== undefined) rec.delete(attr);
      return;
    }
    case "addResource": {
      const uuid = pick([...doc.keys()], e.d);
      if (uuid === undefined) return;
      const dep = doc.get(uuid) as JsonObject;
      if (!resourcesOf(dep).has(e.name)) resourcesOf(dep).set(e.name, toRecord(e.template(uuid, e.name, String(dep.get("name")))));
      return;
    }
    case "deleteResource": {
      const dep = deploymentAt(doc, e.d);
      const name = dep && pick([...resourcesOf(dep).keys()], e.r);
      if (dep && name !== undefined) resourcesOf(dep).delete(name);
      return;
    }
    case "recreateResource": {
      // A new instance under the same name: new creationTime, new cloud id, new address.
      const rec = recordAt(doc, e.d, e.r);
      if (!rec || recordAt(doc, e.d, null) === rec) return;
      rec.set("creationTime", e.creationTime);
      const type = rec.get("type");
      if (type === "ec2") rec.set("vmId", e.vmId);
      if (type === "hcloud") rec.set("vmId", String(parseInt(e.vmId.slice(2, 9), 16)));
      if (type === "hcloud-volume") rec.set("hcloud.id", String(parseInt(e.vmId.slice(2, 9), 16)));
      if (type === "ebs-volume") rec.set("ec2.volumeId", e.vmId.replace("i-", "vol-"));
      if (rec.has("publicIpv4") || type === "ec2") rec.set("publicIpv4", e.ip);
      return;
    }
    case "setInner": {
      const rec = recordAt(doc, e.d, e.r);
      const attr = rec && pick(embeddedAttrs(rec), e.a);
      if (!rec || attr === undefined) return;
      const value = parseJson(rec.get(attr) as string).value as JsonObject;
      // The target object: the top level, or (for `keys`-like blobs) one entry inside it.
      const nested = [...value.values()].filter(isObject);
      const target = pick(nested, e.k) && e.k % 2 === 0 ? (pick(nested, e.k) as JsonObject) : value;
      const key = e.key ?? pick([...target.keys()], e.k);
      if (key === undefined) return;
      if (e.value === null) target.delete(key);
      else target.set(key, e.value);
      rec.set(attr, pyDumps(value));
      return;
    }
    case "reorderEmbedded": {
      const rec = recordAt(doc, e.d, e.r);
      const attr = rec && pick(embeddedAttrs(rec), e.a);
      if (rec && attr !== undefined) rec.set(attr, pyDumps(rotated(parseJson(rec.get(attr) as string).value, e.shift)));
      return;
    }
    case "touchVolatile": {
      const rec = recordAt(doc, e.d, e.r);
      if (!rec) return;
      if (e.what === "configsPath") {
        if (e.r === null || rec.has("configsPath")) rec.set("configsPath", e.value.startsWith("/") ? e.value : `/nix/store/${e.value.length}-nixops-machines`);
        return;
      }
      const tags = rec.get("ec2.tags");
      if (isEmbeddedObject(tags)) {
        const t = parseJson(tags).value as JsonObject;
        t.set("CharonStateFile", e.value);
        rec.set("ec2.tags", pyDumps(t));
      }
      return;
    }
    case "deploy": {
      // What `nixops deploy` rewrites everywhere, whatever it deploys.
      const dep = deploymentAt(doc, e.d);
      if (!dep) return;
      dep.set("configsPath", e.configsPath);
      for (const rec of resourcesOf(dep).values()) {
        const r = rec as JsonObject;
        if (r.has("configsPath")) r.set("configsPath", e.configsPath);
        if (isEmbeddedObject(r.get("keys"))) r.set("keys", pyDumps(rotated(parseJson(r.get("keys") as string).value, e.shift)));
      }
      return;
    }
    case "addDeployment": {
      if (!doc.has(e.parts.uuid)) doc.set(e.parts.uuid, buildDeployment(e.parts));
      return;
    }
    case "deleteDeployment": {
      const uuid = pick([...doc.keys()], e.d);
      if (uuid !== undefined && doc.size > 1) doc.delete(uuid);
      return;
    }
  }
}

export function applyEdits(base: Doc, edits: readonly Edit[]): Doc {
  const doc = cloneDoc(base);
  for (const e of edits) applyEdit(doc, e);
  return doc;
}

/**
 * A merge triple: a generated base, and ours and theirs made from it by edits. Some edits are
 * shared by both sides (changed alike), and values come from small pools, so both one-sided,
 * identical and conflicting changes are frequent.
 */
export function nixopsTriple(options: { maxEdits?: number } = {}): fc.Arbitrary<Triple> {
  const maxLength = options.maxEdits ?? 5;
  return fc
    .record({
      base: nixopsState(),
      shared: fc.array(edit(), { maxLength: 2 }),
      ours: fc.array(edit(), { maxLength }),
      theirs: fc.array(edit(), { maxLength }),
      collisions: fc.array(collision, { maxLength: 2 }),
      separators: fc.constantFrom("py3" as const, "py3" as const, "py2" as const),
    })
    .map(({ base, shared, ours, theirs, collisions, separators }) => {
      const oursEdits = [...shared, ...collisions.map(([o]) => o), ...ours];
      const theirsEdits = [...shared, ...collisions.map(([, t]) => t), ...theirs];
      return { base, ours: applyEdits(base, oursEdits), theirs: applyEdits(base, theirsEdits), separators, oursEdits, theirsEdits };
    });
}

// ---------------------------------------------------------------------------------------------
// Oracles: reading a merge result back, written independently of src/ (only the exact JSON
// reader is shared), so that property tests judge the merge rather than repeat it.

export type ConflictSide = "ours" | "base" | "theirs";

/** The text an editor's "accept ours/base/theirs in every hunk" gives: markers parsed by line. */
export function pickFromMarkers(text: string, side: ConflictSide, size = 7): string {
  const open = "<".repeat(size);
  const baseMark = "|".repeat(size);
  const sep = "=".repeat(size);
  const close = ">".repeat(size);
  const isMark = (line: string, mark: string) => line === mark || line.startsWith(mark + " ");
  const out: string[] = [];
  let section: ConflictSide | null = null;
  for (const line of text.split("\n")) {
    const bare = line.replace(/\r$/, "");
    if (section === null && isMark(bare, open)) section = "ours";
    else if (section !== null && isMark(bare, baseMark)) section = "base";
    else if (section !== null && bare === sep) section = "theirs";
    else if (section !== null && isMark(bare, close)) section = null;
    else if (section === null || section === side) out.push(line);
  }
  return out.join("\n");
}

/** The default volatile values (docs/merge-rules.md, "Volatile values"), restated for the oracle. */
export function isVolatilePath(path: readonly string[]): boolean {
  const last = path[path.length - 1];
  if (last === "configsPath") return path.length === 2 || (path.length === 4 && path[1] === "resources");
  if (last !== "CharonStateFile") return false;
  const attr = path[path.length - 2];
  return /tags$/.test(attr) && (path.length === 3 || (path.length === 5 && path[1] === "resources"));
}

/**
 * Embedded JSON as docs/merge-rules.md ("Embedded JSON") reads it: text starting with { or [
 * that parses.
 */
export function embeddedValue(s: string): JsonValue | undefined {
  if (!s.startsWith("{") && !s.startsWith("[")) return undefined;
  try {
    const p = parseJson(s);
    return p.duplicates.length === 0 ? p.value : undefined;
  } catch {
    return undefined;
  }
}

/** A value as canonical text: object keys sorted, so equal values give equal text. */
export function canonical(v: JsonValue): string {
  if (isObject(v)) return "{" + [...v].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([k, x]) => JSON.stringify(k) + ":" + canonical(x)).join(",") + "}";
  if (Array.isArray(v)) return "[" + v.map(canonical).join(",") + "]";
  if (typeof v === "string") return JSON.stringify(v);
  if (v === null || typeof v === "boolean") return String(v);
  return (v as { text: string }).text;
}

/**
 * Every leaf of a NixOps state, keyed by its path (JSON array text): attributes are leaves,
 * except that embedded JSON objects continue the path into their keys (arrays stay atomic).
 */
export function leaves(doc: JsonValue): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (v: JsonValue, path: string[], inEmbedded: boolean) => {
    if (isObject(v)) {
      for (const [k, x] of v) walk(x, [...path, k], inEmbedded);
      return;
    }
    if (typeof v === "string" && !inEmbedded) {
      const inner = embeddedValue(v);
      if (inner !== undefined && isObject(inner)) return walk(inner, path, true);
      if (inner !== undefined) return void out.set(JSON.stringify(path), canonical(inner));
    }
    out.set(JSON.stringify(path), canonical(v));
  };
  walk(doc, [], false);
  return out;
}

export const pathOf = (key: string): string[] => JSON.parse(key) as string[];

export function isUnder(path: readonly string[], prefix: readonly string[]): boolean {
  return prefix.length <= path.length && prefix.every((k, i) => path[i] === k);
}

const MIRRORED_KIND: Record<string, string> = { "delete/modify": "modify/delete", "modify/delete": "delete/modify" };

/**
 * A merge's conflict set as sorted strings; with `swapped`, as the merge with ours and theirs
 * exchanged should report it (delete/modify and modify/delete trade places).
 */
export function conflictSignature(conflicts: ReadonlyArray<{ path: readonly string[]; kind: string }>, swapped = false): string[] {
  return conflicts.map((c) => JSON.stringify([c.path, swapped ? MIRRORED_KIND[c.kind] ?? c.kind : c.kind])).sort();
}
