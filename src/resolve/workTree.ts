// What the work-tree copy of a conflicted file says about each conflict of a re-merge: still
// open (its markers are there), settled to one side (by `resolve` or an editor's "accept
// ours/theirs"), or edited by hand to something neither side had. Pure.

import { ABSENT, valuesEqual, type Slot } from "../core/values";
import { pathKey } from "../core/policy";
import { sideValue, type Conflict, type Side } from "../core/merged";
import { JsonParseError } from "../formats/parseJson";
import { loadState, valueAt } from "../view/loadState";
import { readMarkers, type MarkedFile } from "../formats/markerBlocks";

export interface WorkTreeView {
  marked: MarkedFile | null;
  /** The file with every block taken as ours / theirs, parsed; null when that does not parse. */
  ours: Slot | null;
  theirs: Slot | null;
  /** Why the views could not be read, when they could not: a clause with its own subject ("it is not valid JSON ..."). */
  unreadable: string | null;
}

export type ConflictState = { state: "open" } | { state: "settled"; side: Side } | { state: "edited" };

function parseView(text: string): Slot {
  return loadState(text).value;
}

export function readWorkTree(text: string, markerSize?: number): WorkTreeView {
  const marked = readMarkers(text, markerSize);
  if (marked?.malformed) return { marked, ours: null, theirs: null, unreadable: `its conflict markers are malformed (${marked.malformed})` };
  try {
    const ours = parseView(marked ? marked.views.ours : text);
    const theirs = marked ? parseView(marked.views.theirs) : ours;
    return { marked, ours, theirs, unreadable: null };
  } catch (e) {
    if (!(e instanceof JsonParseError)) throw e;
    const what = marked ? "one side of its conflict blocks" : "it";
    return { marked, ours: null, theirs: null, unreadable: `${what} is not valid JSON (${e.message})` };
  }
}

/** Whether the work tree still holds this conflict, and if not, which side it took. */
export function conflictState(c: Conflict, view: WorkTreeView): ConflictState {
  if (view.ours === null || view.theirs === null) return { state: "open" };
  const ours = valueAt(view.ours, c.path);
  const theirs = valueAt(view.theirs, c.path);
  if (!valuesEqual(ours, theirs)) return { state: "open" };
  if (c.kind === "duplicate") return { state: "edited" };
  for (const side of ["ours", "theirs", "base"] as const) {
    const v = sideValue(c[side]);
    if (valuesEqual(v, ours) && (v !== ABSENT || ours === ABSENT)) return { state: "settled", side };
  }
  return { state: "edited" };
}

/** What the work tree made of a re-merge's conflicts: the side each settled one took (by path key), and those edited by hand. */
export interface WorkTreeSettlements {
  settled: Map<string, Side>;
  edited: Conflict[];
}

export function settlementsOf(conflicts: readonly Conflict[], view: WorkTreeView | null): WorkTreeSettlements {
  const settled = new Map<string, Side>();
  const edited: Conflict[] = [];
  if (view === null) return { settled, edited };
  for (const c of conflicts) {
    const state = conflictState(c, view);
    if (state.state === "settled") settled.set(pathKey(c.path), state.side);
    else if (state.state === "edited") edited.push(c);
  }
  return { settled, edited };
}
