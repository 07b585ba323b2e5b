// Triples that put secrets into every kind of conflict: both sides changing each secret,
// a machine re-created on one side and its secret changed on the other, delete/modify,
// add/add, a duplicated record, a command-output value and a PEM block under a plain name.

import { isObject, type JsonObject, type JsonValue } from "../../src/core/values";
import { parseJson } from "../../src/formats/parseJson";
import { State, pyDumps } from "./fixtures";
import { publicValues, secretValues } from "./secretValues";

export interface Scenario {
  name: string;
  base: string;
  ours: string;
  theirs: string;
}

const PEM = (tag: string) => `-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAA${tag}BG5vbmUAAAAEbm9uZQAAAAAAAAABAAAAMwAAAAtzc2gtZW\n-----END OPENSSH PRIVATE KEY-----\n`;

/** Sets the string at `path`, going into embedded JSON where the path does. */
export function setAt(doc: JsonObject, path: readonly string[], value: string): void {
  const go = (node: JsonValue, i: number): JsonValue => {
    if (i === path.length) return value;
    if (typeof node === "string") return pyDumps(go(parseJson(node).value, i));
    if (Array.isArray(node)) {
      node[Number(path[i])] = go(node[Number(path[i])], i + 1);
      return node;
    }
    const obj = node as JsonObject;
    obj.set(path[i], go(obj.get(path[i]) as JsonValue, i + 1));
    return obj;
  };
  go(doc, 0);
}

function changed(s: State, tag: string): State {
  const c = s.clone();
  for (const { path, value } of secretValues(c.doc)) setAt(c.doc, path, value.includes("-----END") ? PEM(tag) : `${value}-${tag}-rotated`);
  return c;
}

/** Resources (deployment uuid, name) holding at least one secret. */
function secretResources(s: State): [string, string][] {
  const seen = new Map<string, [string, string]>();
  for (const { path } of secretValues(s.doc)) if (path[1] === "resources") seen.set(path[0] + "/" + path[2], [path[0], path[2]]);
  return [...seen.values()];
}

export function scenarios(fixture: string): Scenario[] {
  const base = State.fixture(fixture);
  const out: Scenario[] = [];
  const add = (name: string, b: State, o: State, t: State) => out.push({ name, base: b.text(), ours: o.text(), theirs: t.text() });

  add("every secret changed on both sides", base, changed(base, "ours"), changed(base, "theirs"));

  const recreated = base.clone();
  const oursDeleted = base.clone();
  for (const [uuid, name] of secretResources(base)) {
    recreated.resource(uuid, name).set("creationTime", "1999999999");
    oursDeleted.remove(uuid, name);
  }
  add("re-created in ours, secrets changed in theirs", base, recreated, changed(base, "theirs"));
  add("deleted in ours, secrets changed in theirs", base, oursDeleted, changed(base, "theirs"));

  const uuid = [...base.doc.keys()][0];
  const withRecord = (pem: string, token: string) =>
    base.clone().addResource(uuid, "new-kp", { type: "ec2-keypair", privateKey: pem, "hcloud.token": token, "ec2.keyPairName": "kp-" + token.slice(0, 4) });
  add("added on both sides with different secrets", base, withRecord(PEM("ADDOURS"), "tokOursAdded123456"), withRecord(PEM("ADDTHEIRS"), "tokTheirsAdded654321"));

  const withOutput = (v: string) => base.clone().addResource(uuid, "gen-secret", { type: "command-output", value: v, creationTime: "1700000000" });
  add("a command-output value changed on both sides", withOutput("cmd-output-base-4a7b9c"), withOutput("cmd-output-ours-8d2e1f"), withOutput("cmd-output-theirs-3c6a0b"));

  const withNote = (tag: string) => base.clone().set(uuid, null, "note", PEM(tag));
  add("a PEM block under a plain attribute name", withNote("NOTEBASE"), withNote("NOTEOURS"), withNote("NOTETHEIRS"));

  // A duplicated record holding secrets: written twice in theirs (text, since a Map cannot).
  const dupName = secretResources(base)[0]?.[1];
  if (dupName !== undefined) {
    const theirs = changed(base, "dup");
    const text = theirs.text();
    const start = text.indexOf(`      "${dupName}": {`);
    const end = text.indexOf("\n      }", start) + "\n      }".length;
    const dupText = text.slice(0, end) + ",\n" + text.slice(start, end) + text.slice(end);
    out.push({ name: "a resource holding secrets written twice in theirs", base: base.text(), ours: changed(base, "ours").text(), theirs: dupText });
  }
  return out;
}

/** Every secret value in the three inputs of a scenario (duplicates read as the parser keeps them). */
export function scenarioSecrets(s: Scenario): string[] {
  const all = new Set<string>();
  for (const text of [s.base, s.ours, s.theirs]) {
    for (const { value } of secretValues(parseJson(text).value as JsonObject)) all.add(value);
    // Every copy of a duplicated key too: the first copy is what parseJson replaced.
    for (const d of parseJson(text).duplicates) for (const v of d.values) if (isObject(v)) for (const { value } of secretValues(new Map([["x", new Map([["resources", new Map([["r", v]])]])]]))) all.add(value);
  }
  return [...all];
}

/** Every non-secret string in the inputs: a secret's bytes that also appear there are public. */
export function scenarioPublic(s: Scenario): string[] {
  return [s.base, s.ours, s.theirs].flatMap((text) => publicValues(parseJson(text).value as JsonObject));
}
