"use strict";
// Synthetic `nixops export --all` states for the benchmark, and a realistic pair of concurrent
// deploys against them. Written independently of src/ (its own Python-style serializer) so the
// benchmark measures the driver, not a copy of it. Deterministic: a seeded generator.
//
// A deploy by one team member (what NixOps 2.0 does to the export):
//   - the deployment's configsPath and every deployed machine's configsPath and toplevel change,
//   - the deployed machines' `keys` blobs are re-serialised in another inner key order,
//   - the `CharonStateFile` tag inside `ec2.tags` names the deployer's temporary statefile,
//   - some resources are created (new names) and some destroyed.
// The two sides deploy disjoint machines; the true conflicts are planted on purpose.

/** Mulberry32: small, fast, seeded. */
function rng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const B64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
const HEX = "0123456789abcdef";
const B32 = "0123456789abcdfghijklmnpqrsvwxyz";

class Gen {
  constructor(seed) {
    this.r = rng(seed);
  }
  int(n) {
    return Math.floor(this.r() * n);
  }
  chars(alphabet, n) {
    let s = "";
    for (let i = 0; i < n; i++) s += alphabet[this.int(alphabet.length)];
    return s;
  }
  pick(list) {
    return list[this.int(list.length)];
  }
  uuid() {
    const h = (n) => this.chars(HEX, n);
    return `${h(8)}-${h(4)}-11ee-${h(4)}-${h(12)}`;
  }
  storePath(name) {
    return `/nix/store/${this.chars(B32, 32)}-${name}`;
  }
  ip() {
    return `${10 + this.int(200)}.${this.int(256)}.${this.int(256)}.${1 + this.int(254)}`;
  }
  /** A throwaway PEM-looking block of about `bytes` bytes (not a real key). */
  pem(kind, bytes) {
    const lines = [];
    for (let n = 0; n < bytes; n += 71) lines.push(this.chars(B64, 70));
    return `-----BEGIN ${kind} PRIVATE KEY-----\n${lines.join("\n")}\n-----END ${kind} PRIVATE KEY-----\n`;
  }
  shuffle(list) {
    const out = [...list];
    for (let i = out.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      [out[i], out[j]] = [out[j], out[i]];
    }
    return out;
  }
}

/** Python's json.dumps with default separators and ensure_ascii (ASCII-only input here). */
function pyDumps(v) {
  if (typeof v === "string" || typeof v === "number" || typeof v === "boolean" || v === null) return JSON.stringify(v);
  if (Array.isArray(v)) return "[" + v.map(pyDumps).join(", ") + "]";
  return "{" + Object.entries(v).map(([k, x]) => JSON.stringify(k) + ": " + pyDumps(x)).join(", ") + "}";
}

/** `nixops export` output: json.dumps(indent=2, sort_keys=True) + "\n" (Python 3 separators). */
function exportText(state) {
  const sorted = (v) => {
    if (typeof v !== "object" || v === null) return v;
    const out = {};
    for (const k of Object.keys(v).sort()) out[k] = sorted(v[k]);
    return out;
  };
  return JSON.stringify(sorted(state), null, 2) + "\n";
}

function keysBlob(g, machine, order) {
  const keys = {};
  for (const name of ["app-env", "tls-key"]) {
    const text = name === "tls-key" ? g.pem("EC", 1200) : `DATABASE_URL=postgres://app:${g.chars(B64, 16)}@db/${machine}\n`;
    keys[name] = { path: `/run/keys/${name}`, name, text, user: "app", destDir: "/run/keys", permissions: "0400", keyCommand: null, keyFile: null, group: "app" };
  }
  return reorderKeys(keys, order);
}

/** The same `keys` value with another inner key order (what every NixOps 2.0 deploy writes). */
function reorderKeys(keys, order) {
  const out = {};
  for (const [name, k] of Object.entries(keys)) {
    const fields = Object.keys(k);
    const rotated = fields.slice(order % fields.length).concat(fields.slice(0, order % fields.length));
    out[name] = Object.fromEntries(rotated.map((f) => [f, k[f]]));
  }
  return out;
}

function tags(deployment, machine, stateFile) {
  return {
    Name: `${deployment.description} [${machine}]`,
    Environment: "production",
    Team: "platform",
    CharonNetworkUUID: deployment.uuid,
    CharonMachineName: machine,
    CharonStateFile: stateFile,
    CharonNetworkName: deployment.name,
  };
}

function ec2Machine(g, d, name, configsPath, stateFile) {
  const keys = keysBlob(g, name, 0);
  return {
    resource: {
      configsPath,
      creationTime: String(1689250005 + g.int(1e6)),
      "ec2.accessKeyId": "AKIAIOSFODNN7EXAMPLE",
      "ec2.ami": `ami-${g.chars(HEX, 17)}`,
      "ec2.associatePublicIpAddress": "1",
      "ec2.blockDeviceMapping": pyDumps({
        "/dev/xvda": { volumeId: `vol-${g.chars(HEX, 17)}`, partOfImage: true },
        "/dev/xvdf": { size: 100, iops: 0, volumeType: "gp3", disk: "", fsType: "ext4", deleteOnTermination: false, encrypt: true, encryptionType: "luks", cipher: "aes-cbc-essiv:sha256", keySize: 256, passphrase: g.chars(B64, 32), volumeId: `vol-${g.chars(HEX, 17)}` },
      }),
      "ec2.ebsOptimized": "0",
      "ec2.instanceType": g.pick(["c5.large", "m5.xlarge", "t3.medium"]),
      "ec2.keyPair": `charon-${d.uuid}-kp`,
      "ec2.placementGroup": '""',
      "ec2.publicHostKey": `ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAI${g.chars(B64, 43)} root@${name}`,
      "ec2.region": "eu-west-1",
      "ec2.securityGroups": pyDumps([`charon-${d.uuid}-ssh-sg`]),
      "ec2.subnetId": `subnet-${g.chars(HEX, 17)}`,
      "ec2.tags": pyDumps(tags(d, name, stateFile)),
      "ec2.zone": g.pick(["eu-west-1a", "eu-west-1b", "eu-west-1c"]),
      index: String(g.int(1000)),
      keys: pyDumps(keys),
      privateIpv4: g.ip(),
      publicDnsName: `ec2-${g.ip().replace(/\./g, "-")}.eu-west-1.compute.amazonaws.com`,
      publicIpv4: g.ip(),
      sshPinged: "1",
      startTime: String(1689250040 + g.int(1e6)),
      state: "3",
      stateVersion: "23.05",
      targetPort: "22",
      toplevel: g.storePath(`nixos-system-${name}-23.05`),
      type: "ec2",
      vmId: `i-${g.chars(HEX, 17)}`,
    },
    keys,
  };
}

function otherResource(g, d, name, kind) {
  switch (kind) {
    case "keypair":
      return { "ec2.accessKeyId": "AKIAIOSFODNN7EXAMPLE", "ec2.keyPairName": `charon-${d.uuid}-${name}`, "ec2.region": "eu-west-1", privateKey: g.pem("OPENSSH", 2600), publicKey: `ssh-rsa ${g.chars(B64, 540)}`, state: "3", type: "ec2-keypair" };
    case "volume":
      return { "ec2.accessKeyId": "AKIAIOSFODNN7EXAMPLE", "ec2.region": "eu-west-1", "ec2.size": "100", "ec2.tags": pyDumps(tags(d, name, "root@ci:/tmp/state.nixops")), "ec2.volumeId": `vol-${g.chars(HEX, 17)}`, "ec2.volumeType": "gp3", "ec2.zone": "eu-west-1a", state: "3", type: "ebs-volume" };
    case "sg":
      return { "ec2.accessKeyId": "AKIAIOSFODNN7EXAMPLE", "ec2.region": "eu-west-1", "ec2.securityGroupDescription": `${name} rules`, "ec2.securityGroupId": `sg-${g.chars(HEX, 17)}`, "ec2.securityGroupName": `charon-${d.uuid}-${name}`, "ec2.securityGroupRules": pyDumps([["tcp", 22, 22, "0.0.0.0/0"], ["tcp", 443, 443, "0.0.0.0/0"], ["udp", 51820, 51820, "10.0.0.0/8"]]), "ec2.vpcId": `vpc-${g.chars(HEX, 17)}`, state: "3", type: "ec2-security-group" };
    default:
      return { allocationId: `eipalloc-${g.chars(HEX, 17)}`, "ec2.accessKeyId": "AKIAIOSFODNN7EXAMPLE", "ec2.ipv4": g.ip(), "ec2.region": "eu-west-1", state: "3", type: "elastic-ip", vpc: "1" };
  }
}

const KINDS = ["machine", "machine", "machine", "machine", "machine", "volume", "volume", "keypair", "sg", "eip"];

function newResource(g, d, name, kind, configsPath, stateFile) {
  return kind === "machine" ? ec2Machine(g, d, name, configsPath, stateFile) : { resource: otherResource(g, d, name, kind), keys: null };
}

/**
 * Base, ours and theirs for `resources` resources, in deployments of about 100 each, and the
 * number of true conflicts planted (each one hunk in a correct structured merge).
 */
/**
 * `options.deployed`: machines each side deploys (default a tenth of them), with no resources
 * created or destroyed (the small-change scenario); the true conflicts stay planted.
 * `options.deployments`: how many deployments hold the resources (default one per 100).
 */
function generateScenario(resources, seed = 1, options = {}) {
  const g = new Gen(seed);
  const base = {};
  const machines = []; // { d, name, keys } for every machine in base
  const others = [];
  const deployments = [];
  const count = options.deployments ?? Math.max(1, Math.round(resources / 100));
  for (let di = 0; di < count; di++) {
    const uuid = g.uuid();
    const d = { uuid, name: `env${di}`, description: `Environment ${di} (eu-west-1)`, configsPath: g.storePath("nixops-machines") };
    deployments.push(d);
    const rs = {};
    const n = Math.floor(resources / count) + (di < resources % count ? 1 : 0);
    for (let i = 0; i < n; i++) {
      const kind = KINDS[i % KINDS.length];
      const name = `${kind === "machine" ? "app" : kind}${i}`;
      const made = newResource(g, d, name, kind, d.configsPath, "alice@alice-laptop:/tmp/tmpz3k1x8jnnixops/state.nixops");
      rs[name] = made.resource;
      (kind === "machine" ? machines : others).push({ d, name, keys: made.keys });
    }
    base[uuid] = { args: pyDumps({ environment: '"production"' }), configsPath: d.configsPath, description: d.description, name: d.name, resources: rs };
  }

  const ours = structuredClone(base);
  const theirs = structuredClone(base);
  const res = (state, m) => state[m.d.uuid].resources[m.name];

  // Five true conflicts, on machines whose neighbours (in the file's sorted order) stay
  // untouched, so that no two conflicts can share a hunk.
  const key = (m) => `${m.d.uuid}/${m.name}`;
  const neighbours = new Map();
  for (const d of deployments) {
    const names = Object.keys(base[d.uuid].resources).sort();
    names.forEach((n, i) => neighbours.set(`${d.uuid}/${n}`, [names[i - 1], names[i + 1]].filter(Boolean).map((x) => `${d.uuid}/${x}`)));
  }
  const order = g.shuffle(machines);
  const used = new Set();
  const take = (isConflict = false) => {
    for (const m of order) {
      const near = neighbours.get(key(m));
      if (used.has(key(m)) || (isConflict && near.some((k) => used.has(k)))) continue;
      used.add(key(m));
      if (isConflict) for (const k of near) used.add(k);
      return m;
    }
    throw new Error("too few machines for the scenario");
  };
  const conflicts = [];
  const both = (fn) => {
    const m = take(true);
    fn(res(ours, m), res(theirs, m), m);
    conflicts.push(m);
  };
  both((o, t, m) => { o.toplevel = g.storePath(`nixos-system-${m.name}-ours`); t.toplevel = g.storePath(`nixos-system-${m.name}-theirs`); });
  both((o, t, m) => { o.toplevel = g.storePath(`nixos-system-${m.name}-ours`); t.toplevel = g.storePath(`nixos-system-${m.name}-theirs`); });
  both((o, t) => { o.publicIpv4 = g.ip(); t.publicIpv4 = g.ip(); });
  both((o, t) => { o.state = "5"; t.state = "6"; });
  both((o, t, m) => {
    // Both re-tag the machine's team (inside embedded JSON): one inner conflict.
    const tg = (team) => pyDumps({ ...tags(m.d, m.name, "alice@alice-laptop:/tmp/tmpz3k1x8jnnixops/state.nixops"), Team: team });
    o["ec2.tags"] = tg("platform-eu");
    t["ec2.tags"] = tg("platform-us");
  });

  // Each side deploys its own subset (about 10% of the machines each). NixOps rewrites the
  // configsPath of each deployment it deploys, so a deployment both sides deployed has it
  // changed on both sides: auto-resolved, never a conflict. Deployments a side did not deploy
  // keep theirs (with 10 machines deployed, most deployments are untouched by both).
  const deploy = (state, side, share) => {
    const stateFile = `${side}@${side}-laptop:/tmp/tmp${g.chars(B32, 8)}nixops/state.nixops`;
    const configs = new Map(deployments.map((d) => [d.uuid, g.storePath("nixops-machines")]));
    const n = Math.max(1, Math.round(machines.length * share));
    for (let k = 0; k < n; k++) {
      const m = take();
      const r = res(state, m);
      state[m.d.uuid].configsPath = configs.get(m.d.uuid);
      r.configsPath = configs.get(m.d.uuid);
      r.toplevel = g.storePath(`nixos-system-${m.name}-${side}`);
      r.keys = pyDumps(reorderKeys(m.keys, 1 + g.int(8)));
      r["ec2.tags"] = pyDumps(tags(m.d, m.name, stateFile));
    }
    return { configs, stateFile };
  };
  const create = (state, side, n, ctx) => {
    for (let k = 0; k < n; k++) {
      const d = deployments[g.int(deployments.length)];
      const kind = KINDS[k % KINDS.length];
      const name = `${side}-new-${kind}${k}`;
      state[d.uuid].configsPath = ctx.configs.get(d.uuid);
      state[d.uuid].resources[name] = newResource(g, d, name, kind, ctx.configs.get(d.uuid), ctx.stateFile).resource;
    }
  };
  const destroy = (state, n) => {
    if (n === 0) return;
    for (let k = 0; k < n; k++) {
      const m = take();
      delete state[m.d.uuid].resources[m.name];
    }
    const other = g.shuffle(others).find((o) => !used.has(key(o)));
    if (other) {
      used.add(key(other));
      delete state[other.d.uuid].resources[other.name];
    }
  };
  const churn = options.deployed === undefined ? Math.max(1, Math.round(resources * 0.01)) : 0;
  const share = options.deployed === undefined ? 0.1 : options.deployed / machines.length;
  for (const [state, side] of [[ours, "alice"], [theirs, "bob"]]) {
    const ctx = deploy(state, side, share);
    create(state, side, churn, ctx);
    destroy(state, churn);
  }
  return { base: exportText(base), ours: exportText(ours), theirs: exportText(theirs), trueConflicts: conflicts.length };
}

module.exports = { generateScenario, exportText, pyDumps };
