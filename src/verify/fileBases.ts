// The merge base of each file, as Git's merge (with the driver installed) would use it: the
// file at the one merge base; in a criss-cross history, the file where all bases agree, or
// else the virtual base the driver's recursive mode builds from two bases (conflicts take
// their own base). Anything deeper is reported as unverifiable, never guessed.

import { blobKey, blobsAt, mergeBases, readBlobs } from "./gitHistory";
import { structuredMerge, type FileMergeSettings } from "./structuredMerge";

export type FileBase = { kind: "base"; data: Buffer | null } | { kind: "unverifiable"; reason: string };

/**
 * By the file's path in the merge; `renamedFrom` names a file one side renamed by its path in
 * the bases (verifyHistory.ts, followRenames).
 */
export function fileBases(
  top: string,
  bases: readonly string[],
  paths: readonly string[],
  settingsFor: (path: string) => FileMergeSettings | { problem: string },
  renamedFrom: ReadonlyMap<string, string> = new Map(),
): Map<string, FileBase> {
  const out = new Map<string, FileBase>();
  if (paths.length === 0) return out;
  if (bases.length === 0) {
    for (const p of paths) out.set(p, { kind: "base", data: null });
    return out;
  }
  // Each base's blobs, by the path in the merge.
  const inBases = (rev: string, wanted: readonly string[]) => {
    const found = blobsAt(top, rev, wanted.map((p) => renamedFrom.get(p) ?? p));
    return new Map(wanted.flatMap((p) => (found.has(renamedFrom.get(p) ?? p) ? [[p, found.get(renamedFrom.get(p) ?? p)!] as const] : [])));
  };
  const ids = bases.map((b) => inBases(b, paths));
  const agreed = paths.filter((p) => ids.every((m) => m.get(p) === ids[0].get(p)));
  const blobs = readBlobs(top, agreed.flatMap((p) => (ids[0].has(p) ? [{ id: ids[0].get(p)!, path: p }] : [])));
  for (const p of agreed) {
    const id = ids[0].get(p);
    out.set(p, { kind: "base", data: id === undefined ? null : blobs.get(blobKey({ id, path: p })) ?? null });
  }
  const differing = paths.filter((p) => !out.has(p));
  if (differing.length === 0) return out;
  if (bases.length > 2) {
    for (const p of differing) out.set(p, { kind: "unverifiable", reason: `${bases.length} merge bases hold different versions of the file (criss-cross history)` });
    return out;
  }
  const inner = mergeBases(top, bases[0], bases[1]);
  if (inner.length !== 1) {
    for (const p of differing) out.set(p, { kind: "unverifiable", reason: "a criss-cross history whose merge bases have no single merge base of their own" });
    return out;
  }
  const innerIds = inBases(inner[0], differing);
  const wanted = differing.flatMap((p) => [ids[0].get(p), ids[1].get(p), innerIds.get(p)].flatMap((id) => (id ? [{ id, path: p }] : [])));
  const data = readBlobs(top, wanted);
  const blob = (id: string | undefined, p: string) => (id === undefined ? null : data.get(blobKey({ id, path: p })) ?? null);
  for (const p of differing) {
    const [b1, b2] = [blob(ids[0].get(p), p), blob(ids[1].get(p), p)];
    if (b1 === null || b2 === null) {
      out.set(p, { kind: "unverifiable", reason: "the merge bases of this criss-cross history disagree on whether the file exists" });
      continue;
    }
    const settings = settingsFor(p);
    if ("problem" in settings) {
      out.set(p, { kind: "unverifiable", reason: settings.problem });
      continue;
    }
    const virtual = structuredMerge({ base: blob(innerIds.get(p), p) ?? "", ours: b1, theirs: b2 }, settings, { virtualBase: true });
    out.set(p, virtual.kind === "merged" ? { kind: "base", data: Buffer.from(virtual.text) } : { kind: "unverifiable", reason: `the virtual base of this criss-cross merge cannot be built (${virtual.reason})` });
  }
  return out;
}
