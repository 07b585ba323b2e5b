// Every kind of mistake in a policy file is rejected with one line naming the file, the line
// the mistake is on, and what to do. Files are written to a temporary work tree and read back
// the way `doctor` and the driver read them.

import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { validatePolicyFile } from "../../src/policy/policyFile";
import { fileViewFor } from "../../src/view/fileView";
import { NO_OVERLAY } from "../../src/profiles/overlay";
import { formatProblem, POLICY_FILE_NAME } from "../../src/policy/policyTypes";

function workTree(policy?: string): string {
  const dir = mkdtempSync(join(tmpdir(), "statefile-merge-policy-"));
  if (policy !== undefined) writeFileSync(join(dir, POLICY_FILE_NAME), policy);
  return dir;
}

/** A policy file with one entry for tenants.json whose settings are `body` (JSON lines). */
const entry = (body: string, glob = "tenants.json") => `{\n  "files": {\n    "${glob}": {\n${body}\n    }\n  }\n}\n`;

interface Case {
  name: string;
  text: string;
  /** A text found only on the line the mistake is on. */
  at: string;
  /** What the message must say. */
  says: RegExp;
}

const CASES: Case[] = [
  { name: "a trailing comma", text: `{\n  "files": {\n    "a.json": {},\n    "b.json": {},\n  }\n}\n`, at: '"b.json"', says: /a comma after the last item .*; remove it/ },
  { name: "not JSON (an unclosed string)", text: `{\n  "files": {\n    "a.json: {}\n  }\n}\n`, at: '"a.json', says: /not valid JSON at column \d+ \(.*\); fix the syntax/ },
  { name: "not an object", text: `[\n  "tenants.json"\n]\n`, at: "[", says: /holds an array; it must be an object like/ },
  { name: "no files", text: `{\n  "version": 1\n}\n`, at: "{", says: /no "files" object; add "files"/ },
  { name: "files of the wrong type", text: `{\n  "files": ["tenants.json"]\n}\n`, at: '"files"', says: /"files" is an array; it must be an object of file globs/ },
  { name: "unknown top-level key", text: `{\n  "files": {},\n  "verison": 1\n}\n`, at: '"verison"', says: /unknown key "verison" at the top level; did you mean "version"\?/ },
  { name: "unsupported version", text: `{\n  "version": 2,\n  "files": {}\n}\n`, at: '"version"', says: /"version" must be 1.*write 1 or remove it/ },
  { name: "a key written twice", text: `{\n  "files": {\n    "a.json": {},\n    "a.json": {}\n  }\n}\n`, at: '"a.json": {}\n  }', says: /the key "a.json" is written twice in one object; keep one/ },
  { name: "an entry that is not an object", text: `{\n  "files": {\n    "tenants.json": "json"\n  }\n}\n`, at: '"tenants.json"', says: /files\["tenants.json"\] is a string; it must be an object of settings/ },
  { name: "unknown entry key", text: entry(`      "profile": "json",\n      "keyedArray": { "/tenants": "id" }`), at: '"keyedArray"', says: /unknown key "keyedArray" in files\["tenants.json"\]; did you mean "keyedArrays"\?/ },
  { name: "unknown entry key, nothing close", text: entry(`      "merge": "yes"`), at: '"merge"', says: /unknown key "merge".*use one of profile, keyedArrays, volatile, identity, secretNames/ },
  { name: "profile of the wrong type", text: entry(`      "profile": 3`), at: '"profile"', says: /\.profile is a number; it must be "nixops", "json" or "tfstate"/ },
  { name: "unknown profile", text: entry(`      "profile": "nix"`), at: '"profile"', says: /\.profile is "nix", an unknown profile; use "nixops", "json" or "tfstate"/ },
  { name: "glob with brackets", text: entry(`      "profile": "json"`, "state/[ab].json"), at: "[ab]", says: /the file glob "state\/\[ab\].json" uses \[ \] or \{ \} which are not supported/ },
  { name: "glob naming a directory", text: entry(`      "profile": "json"`, "deploy/"), at: '"deploy/"', says: /names a directory; add \/\*\*/ },
  { name: "empty glob", text: entry(`      "profile": "json"`, ""), at: '""', says: /the file glob "" is empty; write a file path/ },
  { name: "glob with ** inside a name", text: entry(`      "profile": "json"`, "deploy/**x/t.json"), at: "**x", says: /\*\* must be a whole segment/ },
  { name: "glob with a backslash", text: entry(`      "profile": "json"`, "deploy\\\\t.json"), at: "deploy", says: /holds a backslash; separate directories with \// },
  { name: "glob with a .. segment", text: entry(`      "profile": "json"`, "../t.json"), at: "../t", says: /has an empty, \. or \.\. segment/ },
  { name: "keyedArrays of the wrong type", text: entry(`      "keyedArrays": ["id"]`), at: '"keyedArrays"', says: /\.keyedArrays is an array; it must be an object of array paths to identity fields, like \{ "\/tenants": "id" \}/ },
  { name: "array path without a leading /", text: entry(`      "keyedArrays": {\n        "tenants": "id"\n      }`), at: '"tenants": "id"', says: /the array path "tenants" .* does not start with \// },
  { name: "elements keyed by a secret (shared list)", text: entry(`      "keyedArrays": {\n        "/users": "apiToken"\n      }`), at: '"/users"', says: /is "apiToken", a secret attribute; .* key them by a field that is not secret/ },
  { name: "elements of an array under a secret name (their identities are secrets too)", text: entry(`      "keyedArrays": {\n        "/apiKeys": "key"\n      }`), at: '"/apiKeys"', says: /the array lies under "apiKeys", named like a secret, so its elements' identities are secrets.*remove the entry/ },
  { name: "elements of an array under one of the entry's secret names", text: entry(`      "secretNames": ["vault"],\n      "keyedArrays": {\n        "/vault/*/grants": "id"\n      }`), at: '"/vault/*/grants"', says: /under "vault", named like a secret/ },
  { name: "elements keyed by a secret (the entry's own names)", text: entry(`      "secretNames": ["licenseCode"],\n      "keyedArrays": {\n        "/seats": "licenseCode"\n      }`), at: '"/seats"', says: /is "licenseCode", a secret attribute/ },
  { name: "array path with **", text: entry(`      "keyedArrays": {\n        "/**/domains": "name"\n      }`), at: "/**/domains", says: /uses \*\*, .* write one \* per level/ },
  { name: "array path with an empty level", text: entry(`      "keyedArrays": {\n        "/tenants//domains": "name"\n      }`), at: "//domains", says: /has an empty level/ },
  { name: "empty identity field", text: entry(`      "keyedArrays": {\n        "/tenants": ""\n      }`), at: '"/tenants"', says: /keyedArrays\["\/tenants"\] is an empty identity field; write the field that tells elements apart/ },
  { name: "identity field with spaces", text: entry(`      "keyedArrays": {\n        "/tenants": " id"\n      }`), at: '"/tenants"', says: /with spaces around the field name; remove them/ },
  { name: "identity field of the wrong type", text: entry(`      "keyedArrays": {\n        "/tenants": ["id"]\n      }`), at: '"/tenants"', says: /keyedArrays\["\/tenants"\] is an array; it must be the name of the identity field/ },
  { name: "volatile of the wrong type", text: entry(`      "volatile": "off"`), at: '"volatile"', says: /\.volatile is a string; it must be true, false \(no volatile values\) or an object/ },
  { name: "unknown volatile key", text: entry(`      "volatile": {\n        "added": []\n      }`), at: '"added"', says: /unknown key "added" in files\["tenants.json"\]\.volatile; did you mean "add"\?/ },
  { name: "volatile path that is not a string", text: entry(`      "volatile": {\n        "add": [\n          "/a",\n          7\n        ]\n      }`), at: "7", says: /element 2 of .*\.volatile\.add is a number; it must be a path/ },
  { name: "bad volatile path", text: entry(`      "volatile": {\n        "add": [\n          "lastSeen"\n        ]\n      }`), at: '"lastSeen"', says: /the path "lastSeen" in .*volatile\.add does not start with \// },
  { name: "removing a path that is not a default", text: entry(`      "volatile": {\n        "remove": [\n          "/*/toplevel"\n        ]\n      }`), at: "toplevel", says: /"\/\*\/toplevel" in .*volatile\.remove is not a default volatile path \(the defaults are \/\*\/configsPath, .*\); remove it, or write "volatile": false/ },
  { name: "a whole NixOps machine made volatile", text: entry(`      "profile": "nixops",\n      "volatile": {\n        "add": [\n          "/*/resources/*"\n        ]\n      }`), at: '"/*/resources/*"', says: /"\/\*\/resources\/\*" in .*volatile\.add names whole deployments or machines, which are never volatile/ },
  { name: "a whole NixOps deployment made volatile", text: entry(`      "profile": "nixops",\n      "volatile": {\n        "add": [\n          "/6d3c*"\n        ]\n      }`), at: '"/6d3c*"', says: /names whole deployments or machines/ },
  { name: "the whole document made volatile", text: entry(`      "volatile": {\n        "add": [\n          "/"\n        ]\n      }`), at: '"/"', says: /"\/" in .*volatile\.add names the whole document, which is never volatile/ },
  { name: "whole keyed-array elements made volatile", text: entry(`      "profile": "json",\n      "keyedArrays": { "/tenants": "id" },\n      "volatile": {\n        "add": [\n          "/tenants/*"\n        ]\n      }`), at: '"/tenants/*"', says: /"\/tenants\/\*" in .*volatile\.add names whole elements of a keyed array, which are never volatile .*such as "\/tenants\/\*\/lastSeen"/ },
  { name: "one keyed-array element made volatile", text: entry(`      "keyedArrays": { "/tenants": "id" },\n      "volatile": {\n        "add": [\n          "/tenants/globex"\n        ]\n      }`), at: '"/tenants/globex"', says: /names whole elements of a keyed array, .*such as "\/tenants\/\*\/lastSeen"/ },
  { name: "a keyed array made volatile", text: entry(`      "keyedArrays": { "/tenants": "id" },\n      "volatile": {\n        "add": [\n          "/tenants"\n        ]\n      }`), at: '"/tenants"\n', says: /"\/tenants" in .*volatile\.add names a keyed array, which is never volatile \(ours would drop the elements theirs added\); name a field of its elements, such as "\/tenants\/\*\/lastSeen"/ },
  { name: "a Terraform resource made volatile", text: entry(`      "profile": "tfstate",\n      "volatile": {\n        "add": [\n          "/resources/*"\n        ]\n      }`), at: '"/resources/*"', says: /names whole elements of a keyed array, .*such as "\/resources\/\*\/lastSeen"/ },
  { name: "removing a default in the json profile", text: entry(`      "profile": "json",\n      "volatile": {\n        "remove": [\n          "/*/configsPath"\n        ]\n      }`), at: "configsPath", says: /the json profile has no default volatile paths/ },
  { name: "identity in the json profile", text: entry(`      "profile": "json",\n      "identity": { "libvirtd": ["libvirtd.uuid"] }`), at: '"identity"', says: /identity names NixOps resource types, but the profile is "json"; remove it or write "profile": "nixops"/ },
  { name: "identity of the wrong type", text: entry(`      "identity": ["libvirtd.uuid"]`), at: '"identity"', says: /\.identity is an array; it must be an object of NixOps resource types to attribute lists/ },
  { name: "identity with an empty list", text: entry(`      "identity": {\n        "libvirtd": []\n      }`), at: '"libvirtd"', says: /identity\["libvirtd"\] is an empty list; list the attributes/ },
  { name: "identity with an empty attribute", text: entry(`      "identity": {\n        "libvirtd": [\n          ""\n        ]\n      }`), at: '""', says: /element 1 of .*identity\["libvirtd"\] is an empty identity attribute; write a name or remove the element/ },
  { name: "identity with an empty type", text: entry(`      "identity": {\n        "": ["x.id"]\n      }`), at: '"": [', says: /identity has an empty resource type/ },
  { name: "identity list that is a string", text: entry(`      "identity": {\n        "libvirtd": "libvirtd.uuid"\n      }`), at: '"libvirtd"', says: /identity\["libvirtd"\] is a string; it must be a list of identity attributes/ },
  { name: "secretNames of the wrong type", text: entry(`      "secretNames": "apiKey"`), at: '"secretNames"', says: /\.secretNames is a string; it must be a list of secret attribute names, like \["licenseCode"\]/ },
  { name: "secretNames with an empty name", text: entry(`      "secretNames": [\n        "apiKey",\n        " "\n      ]`), at: '" "', says: /element 2 of .*secretNames is an empty secret attribute name/ },
];

function lineOf(text: string, needle: string): number {
  const at = text.indexOf(needle);
  if (at < 0 || text.indexOf(needle, at + 1) >= 0) throw new Error(`test case: ${JSON.stringify(needle)} must occur exactly once`);
  return text.slice(0, at).split("\n").length;
}

describe("policy file mistakes", () => {
  for (const c of CASES) {
    it(`${c.name}: one line naming the file and line ${"and what to do"}`, () => {
      const problems = validatePolicyFile(workTree(c.text));
      expect(problems).toHaveLength(1);
      const [p] = problems;
      expect(p.line).toBe(lineOf(c.text, c.at));
      expect(p.message).toMatch(c.says);
      const line = formatProblem(p);
      expect(line.startsWith(`${POLICY_FILE_NAME}:${p.line}: `)).toBe(true);
      expect(line).not.toContain("\n");
      // Something to do: every message has a "; <advice>" part.
      expect(p.message).toMatch(/; \S/);
    });
  }

  it("reports every mistake of a file, each at its own line", () => {
    const text = entry(`      "profile": "nix",\n      "keyedArrays": {\n        "/tenants": ""\n      },\n      "secretNames": [\n        1\n      ]`);
    const problems = validatePolicyFile(workTree(text));
    expect(problems.map((p) => p.line)).toEqual([lineOf(text, '"profile"'), lineOf(text, '"/tenants"'), lineOf(text, "        1")]);
  });

  it("the driver refuses a policy with mistakes, naming the first and counting the others", () => {
    const text = entry(`      "profile": "nix",\n      "secretNames": [\n        1\n      ]`);
    const view = fileViewFor(workTree(text), "tenants.json");
    expect(view.problem).toMatch(/^the policy file is not usable: \.statefile-merge\.json:4: .*\(and 1 more; run statefile-merge doctor\)$/);
  });

  it("a file that does not parse still names its secrets to the review commands (a syntax error, markers mid-merge)", () => {
    const broken = '{ "files": { "*.json": { "secretNames": ["licenseCode", "api\\u004bey"], } } }\n';
    const marked = ['{ "files": { "*.json": {', "<<<<<<< HEAD", '  "secretNames": ["oursCode"]', "=======", '  "secretNames": ["theirsCode"]', ">>>>>>> topic", "} } }", ""].join("\n");
    for (const [text, names] of [[broken, ["licenseCode", "apiKey"]], [marked, ["oursCode", "theirsCode"]]] as const) {
      const view = fileViewFor(workTree(text), "tenants.json");
      expect(view.problem).toMatch(/^the policy file is not usable/);
      expect([...view.overlay.secretNames].sort()).toEqual([...names].sort());
    }
  });

  it("accepts a file using every setting, with comments", () => {
    const text = JSON.stringify({
      "//": "How statefile-merge merges the JSON state in this repository",
      version: 1,
      files: {
        "deploy/*.nixops.json": {
          profile: "nixops",
          volatile: { add: ["/*/resources/*/publicIpv4"], remove: ["/*/configsPath"] },
          identity: { libvirtd: ["libvirtd.domainUUID"], "//": "plugin types" },
          secretNames: ["storeKey"],
        },
        "**/tenants.json": { profile: "json", keyedArrays: { "/tenants": "id", "/tenants/*/domains": "name", "//": "by id" }, volatile: { add: ["/generatedAt"] } },
        "legacy.json": { volatile: false },
      },
    });
    expect(validatePolicyFile(workTree(text))).toEqual([]);
  });

  it("no policy file is no problem", () => {
    expect(validatePolicyFile(workTree())).toEqual([]);
    const view = fileViewFor(workTree(), "tenants.json");
    expect([view.entry, view.overlay, view.problem]).toEqual([null, NO_OVERLAY, null]);
  });
});
