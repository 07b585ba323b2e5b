// A key written twice in one input (a bad hand merge) is never settled by the parser's
// last-wins: generated merge triples get a second copy of a deployment, a resource or an
// attribute on one side, often while the other side deletes or changes the record around it,
// and every copy must reach the result (between markers), or the merge falls back to Git's
// line merge, whose output then holds them.

import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { afterAll, describe, expect, it } from "vitest";
import { mergeTexts } from "../../../src/pipeline/mergeTexts";
import { isObject, type JsonObject } from "../../../src/core/values";
import { nixopsTriple, renderState, type Triple } from "../../support/arbitraries";
import { duplicateAttribute, duplicateRecord, type DuplicatePath } from "../../support/duplicateKeys";

const RUNS = Number(process.env.DUPLICATE_KEY_RUNS ?? 150);
const markers = { size: 7, ours: "ours", base: "base", theirs: "theirs", style: "diff3" as const };
const SIDES = ["base", "ours", "theirs"] as const;
type InputSide = (typeof SIDES)[number];

interface Injection {
  side: InputSide;
  /** "nested": a resource written twice, in a deployment then written twice with it. */
  level: "deployment" | "resource" | "attribute" | "nested";
  d: number;
  r: number;
  a: number;
  position: "before" | "after";
  /** What the other side does to the record holding the copy. */
  other: "nothing" | "deletes deployment" | "deletes resource" | "changes it";
  /** For a base copy: which side deletes or changes. */
  otherSide: "ours" | "theirs";
}

const injection: fc.Arbitrary<Injection> = fc.record({
  side: fc.constantFrom(...SIDES),
  level: fc.constantFrom("deployment" as const, "resource" as const, "resource" as const, "attribute" as const, "nested" as const),
  d: fc.nat(5),
  r: fc.nat(10),
  a: fc.nat(20),
  position: fc.constantFrom("before" as const, "after" as const),
  other: fc.constantFrom("nothing" as const, "deletes deployment" as const, "deletes deployment" as const, "deletes resource" as const, "changes it" as const),
  otherSide: fc.constantFrom("ours" as const, "theirs" as const),
});

const pick = <T>(items: readonly T[], i: number): T | undefined => (items.length === 0 ? undefined : items[i % items.length]);

/** The record the copy goes into, in the injected side's state; undefined when it has none. */
function target(doc: JsonObject, inj: Injection): DuplicatePath | undefined {
  const uuid = pick([...doc.keys()], inj.d);
  if (uuid === undefined) return undefined;
  if (inj.level === "deployment") return [uuid];
  // (nested: the resource; the deployment holding it is written twice too)
  const resources = (doc.get(uuid) as JsonObject).get("resources") as JsonObject;
  const name = pick([...resources.keys()], inj.r);
  if (name === undefined) return inj.level === "attribute" ? [uuid] : undefined;
  return [uuid, "resources", name];
}

function holds(doc: JsonObject, path: readonly string[]): boolean {
  let v: unknown = doc;
  for (const k of path) {
    if (!isObject(v) || !v.has(k)) return false;
    v = v.get(k);
  }
  return true;
}

/** The other side's edit, on its state (deleting the only deployment would leave no export). */
function otherEdit(doc: JsonObject, path: DuplicatePath, inj: Injection): void {
  const [uuid] = path;
  const deployment = doc.get(uuid);
  if (!isObject(deployment)) return;
  const resources = deployment.get("resources") as JsonObject;
  if (inj.other === "deletes deployment" && doc.size > 1) doc.delete(uuid);
  else if (inj.other === "deletes resource" && path.length === 3) resources.delete(path[2]);
  else if (inj.other === "changes it") {
    const record = path.length === 3 ? resources.get(path[2]) : deployment;
    if (isObject(record)) record.set("state", "9");
  }
}

let scratch: string | null = null;
afterAll(() => {
  if (scratch) rmSync(scratch, { recursive: true, force: true });
});

/** What the driver's fallback gives: `git merge-file` on the same three texts. */
function gitMergeFile(texts: Record<InputSide, string>): string {
  scratch ??= mkdtempSync(join(tmpdir(), "statefile-merge-dup-"));
  for (const side of SIDES) writeFileSync(join(scratch, side), texts[side]);
  const r = spawnSync("git", ["merge-file", "-p", "--diff3", join(scratch, "ours"), join(scratch, "base"), join(scratch, "theirs")], { encoding: "utf8" });
  if (r.status === null || r.status < 0) throw new Error(`git merge-file failed: ${r.stderr}`);
  return r.stdout;
}

interface Case {
  texts: Record<InputSide, string>;
  /** A text in each copy, found nowhere else. */
  markers: string[];
  path: DuplicatePath;
  /** Whether ours or theirs still holds the record with the copy. */
  kept: boolean;
}

function makeCase(t: Triple, inj: Injection, n: number): Case | undefined {
  const docs: Record<InputSide, JsonObject> = { base: t.base, ours: t.ours, theirs: t.theirs };
  const path = target(docs[inj.side], inj);
  if (path === undefined) return undefined;
  const other = inj.side === "base" ? inj.otherSide : inj.side === "ours" ? "theirs" : "ours";
  if (inj.other !== "nothing") otherEdit(docs[other], path, inj);
  const texts = { base: renderState(docs.base, t.separators), ours: renderState(docs.ours, t.separators), theirs: renderState(docs.theirs, t.separators) };
  const marker = `copy-${n}-of-${path.join("/")}`;
  if (!holds(docs[inj.side], path)) return undefined;
  if (inj.level === "attribute") {
    const record = path.length === 1 ? (docs[inj.side].get(path[0]) as JsonObject) : ((docs[inj.side].get(path[0]) as JsonObject).get("resources") as JsonObject).get(path[2]);
    const attribute = pick([...(record as JsonObject).keys()].filter((k) => k !== "resources"), inj.a);
    if (attribute === undefined) return undefined;
    texts[inj.side] = duplicateAttribute(texts[inj.side], path, attribute, marker);
    return { texts, markers: [marker], path, kept: holds(docs.ours, path) || holds(docs.theirs, path) };
  }
  if (inj.level !== "nested") {
    texts[inj.side] = duplicateRecord(texts[inj.side], path, marker, inj.position);
    return { texts, markers: [marker], path, kept: holds(docs.ours, path) || holds(docs.theirs, path) };
  }
  // The resource's copy is written inside both copies of the deployment: the second one renamed.
  const inner = duplicateRecord(texts[inj.side], path, `${marker}-inner`, inj.position);
  const both = duplicateRecord(inner, [path[0]], `${marker}-outer`, inj.position);
  const last = both.lastIndexOf(`${marker}-inner`);
  texts[inj.side] = both.slice(0, last) + `${marker}-inner2` + both.slice(last + `${marker}-inner`.length);
  const deployment: DuplicatePath = [path[0]];
  return { texts, markers: [`${marker}-inner`, `${marker}-inner2`, `${marker}-outer`], path: deployment, kept: holds(docs.ours, deployment) || holds(docs.theirs, deployment) };
}

let counter = 0;

describe("a key written twice is never settled by last-wins", () => {
  for (const wholeParse of [false, true]) {
    it(`every copy reaches the result or the fallback's line merge (${wholeParse ? "whole parse" : "record-by-record reading"})`, () => {
      fc.assert(
        fc.property(nixopsTriple({ maxEdits: 3 }), injection, (t, inj) => {
          const c = makeCase(t, inj, counter++);
          fc.pre(c !== undefined);
          const { texts, markers: copies, path, kept } = c!;
          const r = mergeTexts(texts, { markers, wholeParse });
          if (r.kind === "fallback") {
            expect(r.reason).toMatch(/twice/);
            // Git's line merge never drops a line one side added.
            if (inj.side !== "base") for (const m of copies) expect(gitMergeFile(texts)).toContain(m);
            return;
          }
          expect(inj.level, "a record written twice is merged structurally").not.toBe("attribute");
          if (inj.side !== "base" || kept) {
            for (const m of copies) expect(r.text).toContain(m);
            const around = r.conflicts.filter((x) => x.kind === "duplicate" && path.slice(0, x.path.length).every((k, i) => k === x.path[i]));
            expect(around.length, JSON.stringify(r.conflicts.map((x) => [x.path, x.kind]))).toBeGreaterThan(0);
          }
        }),
        { numRuns: RUNS },
      );
    });
  }
});
