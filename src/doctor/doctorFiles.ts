// The tracked files themselves: state files (named like one, listed in the policy file, or
// holding a kind of state by content) that Git does not route to our driver (their merges would be
// line merges), and state files that already hold conflict markers.

import { firstMarkerLine } from "../formats/conflictMarkers";
import { JsonParseError, parseCarefully } from "../formats/parseJson";
import { stripBom } from "../formats/bom";
import { readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { matchesFileGlob } from "../policy/fileGlob";
import { POLICY_FILE_NAME } from "../policy/policyTypes";
import { fileViewsIn, type FileView } from "../view/fileView";
import type { DoctorContext, Finding } from "./doctor";
import { fewPaths, routedInIndex, routedInWorktree, routingOf } from "./doctorRouting";
import { readIndexed, unmergedPaths } from "../git/indexStages";
import { DEFAULT_PATTERNS, DRIVER } from "../git/install";
import { fileStartsLikeState, stateRowOf } from "../view/stateContent";
import type { ProfileRow } from "../profiles/profileRow";
import { shellWord } from "../git/shellQuote";
import { errnoWords } from "../io/errnoWords";
import { isGitCryptCiphertext } from "../crypt/gitCrypt";

const MAX_BYTES = 256 * 1024 * 1024;

/** What the work tree holds at a tracked path: a file within the size bound, something else, or nothing (a sparse checkout). */
function workTreeEntry(path: string): "file" | "other" | "absent" {
  try {
    const s = statSync(path);
    return s.isFile() && s.size <= MAX_BYTES ? "file" : "other";
  } catch {
    return "absent";
  }
}

/** The kind of state the file holds by its content (the whole file is read only when its first bytes may start one). */
function stateKindByContent(path: string): ProfileRow | null {
  return fileStartsLikeState(path) ? stateRowOf(readFileSync(path)) : null;
}

function markerLine(text: string): number | null {
  return firstMarkerLine(text)?.line ?? null;
}

/** Where a state file's text stops being JSON, or null when it is JSON (V8's parser first: a large state is read in a fraction of the time; the careful one names the place). */
function jsonProblem(text: string): JsonParseError | null {
  const body = stripBom(text);
  try {
    JSON.parse(body);
    return null;
  } catch {
    try {
      parseCarefully(body);
      return null;
    } catch (e) {
      if (e instanceof JsonParseError) return e;
      throw e;
    }
  }
}

/**
 * Why a tracked file is a state file that our driver must merge, or null when it is not one.
 * A file outside a sparse checkout is still merged: its content is read from the index.
 */
function stateFileReason(ctx: DoctorContext, path: string, viewOf: (file: string) => FileView, inWorkTree: boolean): string | null {
  const pattern = DEFAULT_PATTERNS.find((p) => matchesFileGlob(path, p));
  if (pattern !== undefined) return `is named like a state file (${pattern})`;
  const entry = viewOf(path).entry;
  if (entry !== null) return `is listed in ${POLICY_FILE_NAME} (${entry.glob})`;
  const row = inWorkTree ? stateKindByContent(join(ctx.top, path)) : stateKindInIndex(ctx, path);
  return row ? `looks like ${row.kindName}` : null;
}

/** The kind of state the index holds for a path the work tree lacks (a sparse checkout), read as Git's merge reads it. */
function stateKindInIndex(ctx: DoctorContext, path: string): ProfileRow | null {
  const size = ctx.git(["cat-file", "-s", `:${path}`]);
  if (size.status !== 0 || Number(size.stdout.trim()) > MAX_BYTES) return null;
  const data = readIndexed({ top: ctx.top, cwd: ctx.top }, path);
  return data === null ? null : stateRowOf(data);
}


/** What to run or change so that Git routes the path to our driver. */
function coverageFix(path: string, value: string): string {
  if (value !== "unspecified") {
    return `an attribute line sets it (\`git check-attr -a -- ${shellWord(path)}\`): change that line in .gitattributes or .git/info/attributes`;
  }
  const named = DEFAULT_PATTERNS.some((p) => matchesFileGlob(path, p));
  // A gitattributes pattern holds no space: ? stands for it (install refuses a pattern with one).
  return `run \`statefile-merge install --attributes${named ? "" : ` --pattern '${path.replace(/\s/g, "?")}'`}\``;
}

export function stateFileFindings(ctx: DoctorContext): Finding[] {
  const findings: Finding[] = [];
  const routing = routingOf(ctx);
  // Files a sparse checkout leaves out are merged all the same: checked by name, policy and index.
  const entries = new Map(routing.tracked.map((p) => [p, workTreeEntry(join(ctx.top, p))]));
  const regular = routing.tracked.filter((p) => entries.get(p) !== "other");
  // How each file is read, from the one file view (a policy file with mistakes names no entry: its own check reports them).
  const viewOf = fileViewsIn(ctx.top);
  const repo = { top: ctx.top, cwd: ctx.top };
  const unmerged = new Set(unmergedPaths(repo));
  const uncommitted: string[] = [];
  let covered = 0;
  for (const path of regular) {
    // Merges in this clone read the work tree's attributes.
    const marked = routedInWorktree(routing, path, "merge");
    const inWorkTree = entries.get(path) === "file";
    let text: string | null = null;
    let reason: string | null = null;
    try {
      reason = marked ? null : stateFileReason(ctx, path, viewOf, inWorkTree);
      if (!marked && reason === null) continue;
      const bytes = inWorkTree ? readFileSync(join(ctx.top, path)) : null;
      // git-crypt ciphertext (a clone without the key): the driver merges it as plaintext, or keeps ours.
      text = bytes === null || isGitCryptCiphertext(bytes) ? null : bytes.toString("utf8");
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === undefined) throw e;
      // A state file doctor cannot read is its own finding, not the end of every file's check
      // (a file it cannot read to tell whether it is one is not its business).
      if (marked || reason !== null) findings.push({ severity: "error", check: "state-files", message: `${path} cannot be read (${errnoWords(e as NodeJS.ErrnoException)}): Git's merges and nixops cannot read it either; fix its permissions` });
      continue;
    }
    if (marked) covered++;
    if (marked && !routedInIndex(routing, path, "merge")) uncommitted.push(path);
    if (reason !== null) {
      const value = routing.worktree.get(path)?.get("merge") ?? "unspecified";
      findings.push({ severity: "error", check: "coverage", message: `${path} ${reason} but its merge attribute is ${value}, not ${DRIVER}: Git will merge it line by line; ${coverageFix(path, value)}` });
    }
    const line = text === null ? null : markerLine(text);
    if (line !== null) {
      findings.push({
        severity: "error",
        check: "conflict-markers",
        message: unmerged.has(path)
          ? `${path} is still in conflict (markers from line ${line}): resolve it before committing`
          : `${path} holds conflict markers (line ${line}) but is not in conflict: a conflicted version was added; restore a resolved version before the next deploy`,
      });
    } else if (text !== null && text.trim() !== "") {
      const broken = jsonProblem(text);
      if (broken) findings.push({ severity: "error", check: "state-files", message: `${path}:${broken.line}:${broken.column}: not valid JSON (${broken.reason}): its merges fall back to Git's line merge; fix it (statefile-merge check ${shellWord(path)})` });
    }
  }
  if (uncommitted.length > 0) {
    findings.push({
      severity: "warning",
      check: "coverage",
      message: `${fewPaths(uncommitted)} ${uncommitted.length === 1 ? "is" : "are"} marked merge=${DRIVER} only by the work tree's .gitattributes, not by the committed one: commit .gitattributes so teammates' clones use the driver too`,
    });
  }
  if (findings.length === 0) findings.push({ severity: "ok", check: "state-files", message: `${covered} tracked file(s) marked merge=${DRIVER}, all readable JSON without conflict markers, no unmarked state file` });
  return findings;
}
