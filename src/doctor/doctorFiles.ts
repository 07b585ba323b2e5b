// The tracked files themselves: NixOps exports that no attribute line covers (their merges
// would be line merges), and state files that already hold conflict markers.

import { firstMarkerLine } from "../formats/conflictMarkers";
import { closeSync, openSync, readFileSync, readSync, statSync } from "node:fs";
import { join } from "node:path";
import { attributesOf } from "../git/attributes";
import type { DoctorContext, Finding } from "./doctor";
import { unmergedPaths } from "../git/indexStages";
import { DRIVER } from "../git/install";

/** `{ "<uuid>": {` at the start: the first bytes of every `nixops export` with a deployment. */
const EXPORT_START = /^\s*\{\s*"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"\s*:\s*\{/;
const MAX_BYTES = 256 * 1024 * 1024;

function head(path: string, bytes: number): string | null {
  try {
    const fd = openSync(path, "r");
    try {
      const buf = Buffer.alloc(bytes);
      const n = readSync(fd, buf, 0, bytes, 0);
      return buf.subarray(0, n).toString("utf8");
    } catch {
      return null;
    } finally {
      closeSync(fd);
    }
  } catch {
    return null;
  }
}

function isRegularFile(path: string): boolean {
  try {
    const s = statSync(path);
    return s.isFile() && s.size <= MAX_BYTES;
  } catch {
    return false;
  }
}

/** Looks like `nixops export` output: a UUID-keyed object whose deployments have resources. */
function looksLikeNixopsExport(path: string): boolean {
  const start = head(path, 4096);
  if (start === null || !EXPORT_START.test(start)) return false;
  return readFileSync(path, "utf8").includes('"resources"');
}

function markerLine(text: string): number | null {
  return firstMarkerLine(text)?.line ?? null;
}

export function stateFileFindings(ctx: DoctorContext): Finding[] {
  const findings: Finding[] = [];
  const tracked = [...new Set(ctx.git(["ls-files", "-z"]).stdout.split("\0").filter(Boolean))];
  const regular = tracked.filter((p) => isRegularFile(join(ctx.top, p)));
  const repo = { top: ctx.top, cwd: ctx.top };
  const merge = attributesOf(repo, regular, ["merge"]);
  const attrs = new Map([...merge].map(([path, values]) => [path, values.get("merge")]));
  const unmerged = new Set(unmergedPaths(repo));
  let covered = 0;
  for (const path of regular) {
    const marked = attrs.get(path) === DRIVER;
    const looksLike = looksLikeNixopsExport(join(ctx.top, path));
    if (!marked && !looksLike) continue;
    if (marked) covered++;
    if (looksLike && !marked) {
      findings.push({
        severity: "error",
        check: "coverage",
        message: `${path} looks like a NixOps export but its merge attribute is ${attrs.get(path) ?? "unspecified"}, not ${DRIVER}: Git will merge it line by line; add its pattern with \`statefile-merge install --pattern '<glob>'\``,
      });
    }
    const line = markerLine(readFileSync(join(ctx.top, path), "utf8"));
    if (line !== null) {
      findings.push({
        severity: "error",
        check: "conflict-markers",
        message: unmerged.has(path)
          ? `${path} is still in conflict (markers from line ${line}): resolve it before committing`
          : `${path} holds conflict markers (line ${line}) but is not in conflict: a conflicted version was added; restore a resolved version before the next deploy`,
      });
    }
  }
  if (findings.length === 0) findings.push({ severity: "ok", check: "state-files", message: `${covered} tracked file(s) marked merge=${DRIVER}, none with conflict markers, no unmarked NixOps export` });
  return findings;
}
