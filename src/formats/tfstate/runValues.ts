// The values every Terraform run rewrites, settled after the record merge:
//
// - serial: ours' when the merged state equals ours and ours' serial is above theirs' (or the
//   state equals theirs too), theirs' likewise, otherwise one more than the larger of the two.
//   So over either side the result has a higher serial or is that side's state: `terraform
//   state push` refuses a different state with the same serial, and accepts this. Never a conflict.
// - terraform_version: when both sides changed it, the newer of the two.
// - check_results: recomputed by every run; when both sides changed them, the side with the
//   higher serial (ours on a tie), reported as auto-resolved.

import { JsonNumber, isObject, valuesEqual, type JsonObject, type JsonValue } from "../../core/values";
import type { AutoResolved, MergedObject } from "../../core/merged";
import { serialOf } from "./detect";

function withoutSerial(state: JsonObject): JsonObject {
  const copy = new Map(state);
  copy.delete("serial");
  return copy;
}

/** The serial of a merged state (without hunks) whose sides had these serials. */
export function mergedSerial(merged: JsonObject, ours: JsonObject, theirs: JsonObject): bigint {
  const o = serialOf(ours) ?? 0n;
  const t = serialOf(theirs) ?? 0n;
  const m = withoutSerial(merged);
  const isOurs = valuesEqual(m, withoutSerial(ours));
  const isTheirs = valuesEqual(m, withoutSerial(theirs));
  // On a tie (one apply on each branch) a serial is kept only for a state that is both sides'.
  if (isOurs && (o > t || (o === t && isTheirs))) return o;
  if (isTheirs && t > o) return t;
  return nextSerial(ours, theirs);
}

/** One more than the larger serial of the two sides. */
export function nextSerial(ours: JsonObject, theirs: JsonObject): bigint {
  const o = serialOf(ours) ?? 0n;
  const t = serialOf(theirs) ?? 0n;
  return (o > t ? o : t) + 1n;
}

/** -1, 0 or 1: "1.11.4" against "1.9.8", numerically, pre-releases before their release. */
export function compareVersions(a: string, b: string): number {
  const parse = (v: string) => {
    const m = /^v?(\d+)\.(\d+)\.(\d+)(-.*)?$/.exec(v);
    return m ? { n: [Number(m[1]), Number(m[2]), Number(m[3])], pre: m[4] ?? null } : null;
  };
  const x = parse(a);
  const y = parse(b);
  if (!x || !y) return a === b ? 0 : a < b ? -1 : 1;
  for (let i = 0; i < 3; i++) if (x.n[i] !== y.n[i]) return x.n[i] < y.n[i] ? -1 : 1;
  if (x.pre === y.pre) return 0;
  if (x.pre === null) return 1;
  if (y.pre === null) return -1;
  return x.pre < y.pre ? -1 : 1;
}

/**
 * Settles the run values in `merged` (changed in place) for the auto-resolved entries the record
 * merge reported at them (it kept ours'), and marks which side each entry kept.
 */
export function settleRunValues(merged: MergedObject, ours: JsonObject, theirs: JsonObject, autoResolved: AutoResolved[]): void {
  const theirsFirst = (serialOf(theirs) ?? 0n) > (serialOf(ours) ?? 0n);
  for (const a of autoResolved) {
    if (a.path.length !== 1) continue;
    const [key] = a.path;
    let takeTheirs = false;
    if (key === "check_results") takeTheirs = theirsFirst;
    if (key === "terraform_version" && typeof a.ours === "string" && typeof a.theirs === "string") {
      takeTheirs = compareVersions(a.theirs, a.ours) > 0;
    }
    if (takeTheirs && isObject(theirs) && theirs.has(key)) {
      merged.set(key, theirs.get(key) as JsonValue);
      a.kept = "theirs";
    }
  }
}

export function setSerial(merged: MergedObject, serial: bigint): void {
  merged.set("serial", new JsonNumber(serial.toString()));
}
