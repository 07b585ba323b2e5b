// Helpers for the core tests: merge NixOps states (built from the real fixtures with the State
// builder) through the pure engine with the NixOps profile, and read values back by path.

import { ABSENT, Embedded, isObject, type JsonObject, type JsonValue, type Path, type Slot } from "../../src/core/values";
import { Hunk, pickSide, type Merged, type MergeOutcome } from "../../src/core/merged";
import { mergeDocuments } from "../../src/core/mergeValues";
import type { MergeOptions } from "../../src/core/policy";
import { parseJson } from "../../src/formats/parseJson";
import { decodeEmbedded } from "../../src/formats/nixopsExport";
import { NO_OVERLAY, type Overlay } from "../../src/profiles/overlay";
import { profileNamed } from "../../src/profiles/table";
import type { State } from "./fixtures";

/** A state as the pipeline hands it to the engine: parsed, embedded JSON decoded. */
export function decoded(s: State): JsonObject {
  const doc = parseJson(s.text()).value as JsonObject;
  decodeEmbedded(doc);
  return doc;
}

export function mergeStates(base: State | null, ours: State, theirs: State, overlay: Overlay = NO_OVERLAY, options: MergeOptions = {}): MergeOutcome {
  return mergeDocuments(base ? decoded(base) : ABSENT, decoded(ours), decoded(theirs), profileNamed("nixops", overlay).policy, options);
}

/** The value at a path (inner keys continue into embedded JSON); ABSENT when not there. */
export function at(v: Slot | Merged, path: Path): Slot | Merged {
  let node: Slot | Merged = v;
  for (const key of path) {
    if (node instanceof Embedded) node = node.value;
    if (!(node instanceof Map)) return ABSENT;
    node = node.has(key) ? (node.get(key) as Merged) : ABSENT;
  }
  return node;
}

/** An attribute's text as it will be written (embedded JSON keeps its chosen text). */
export function textAt(v: Slot | Merged, path: Path): string | undefined {
  const node = at(v, path);
  if (node instanceof Embedded) return node.text;
  return typeof node === "string" ? node : undefined;
}

/** The merged document with every hunk settled to one side. */
export function settled(outcome: MergeOutcome, side: "ours" | "theirs"): JsonObject {
  return pickSide(outcome.merged, side) as JsonObject;
}

export function isHunk(v: Slot | Merged): v is Hunk {
  return v instanceof Hunk;
}

export const conflictSummary = (o: MergeOutcome) => o.conflicts.map((c) => ({ path: [...c.path], kind: c.kind }));
export const autoResolvedPaths = (o: MergeOutcome) => o.autoResolved.map((a) => [...a.path]);

export function resourcePath(s: State, deployment: string, resource: string): string[] {
  return [s.uuid(deployment), "resources", resource];
}

export function asObject(v: Slot | Merged): JsonObject {
  if (!isObject(v)) throw new Error("not an object");
  return v as JsonObject;
}

export type { JsonValue };
