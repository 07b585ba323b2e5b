// `statefile-merge conflicts [FILE...]`: the conflicts left in the work tree, one line each.

import type { Command } from "commander";
import type { JsonValue } from "../core/values";
import { conflictLine, reportJson } from "../report/mergeReport";
import { currentOperation, displayPath, findRepo, repoPath, unmergedPaths, type Repo } from "../git/indexStages";
import { listConflicts, type FileConflicts } from "../resolve/listConflicts";
import { declaredStateFiles } from "../view/stateFiles";
import { fileStartsLikeState, isStateRow } from "../view/stateContent";
import { existsSync, statSync } from "node:fs";
import { join } from "node:path";

/** An undeclared JSON file the re-merge may still read as a kind of state (its first lines may hold markers). */
const JSON_NAME = /\.json$/i;

/**
 * The files to re-merge: those named; with no FILE, the unmerged paths that may be state files
 * (declared ones, JSON files, files starting like a kind of state), so a merge with many other
 * conflicted files re-merges none of those.
 */
function filesToList(repo: Repo, files: string[]): { paths: string[]; explicit: boolean; declared: Set<string> } {
  if (files.length > 0) return { paths: files.map((f) => repoPath(repo, f)), explicit: true, declared: new Set() };
  const unmerged = unmergedPaths(repo);
  const declared = declaredStateFiles(repo, unmerged);
  return { paths: unmerged.filter((p) => declared.has(p) || JSON_NAME.test(p) || fileStartsLikeState(join(repo.top, p))), explicit: false, declared };
}

/** With no FILE, only unmerged state files: declared ones, or any the re-merge reads as a kind of state. */
function isStateFile(found: FileConflicts, declared: Set<string>): boolean {
  return declared.has(found.path) || (found.profile !== null && isStateRow(found.profile.row));
}

function textLines(repo: Repo, found: FileConflicts, showSecrets: boolean): string[] {
  const name = displayPath(repo, found.path);
  const lines: string[] = [];
  if (found.note) lines.push(`${name}: note: ${found.note}`);
  for (const c of found.conflicts) {
    lines.push(`${name}: ${conflictLine(c, found.profile!, found.documents, { showSecrets })}`);
  }
  // Blocks read from the index's re-merge are apart from its conflicts; from the markers alone, they are where the conflicts came from.
  if (found.conflicts.length === 0 || found.source === "index") {
    for (const b of found.blocks) lines.push(`${name}:${b.startLine}: conflict block (lines ${b.startLine}-${b.endLine})`);
  }
  if (found.settled > 0) lines.push(`${name}: ${found.settled} more conflict(s) already settled in the work tree`);
  return lines;
}

function jsonFile(repo: Repo, found: FileConflicts, showSecrets: boolean): Record<string, unknown> {
  const report = found.profile
    ? (JSON.parse(reportJson({ conflicts: found.conflicts, autoResolved: [], fallback: null, profile: found.profile }, { showSecrets })) as { conflicts: JsonValue[] })
    : { conflicts: [] };
  return {
    path: found.path,
    display: displayPath(repo, found.path),
    source: found.source,
    profile: found.profile ? found.profile.name : null,
    conflicts: report.conflicts,
    where: found.profile ? found.conflicts.map((c) => found.profile!.describePath(c.path, found.documents, showSecrets)) : [],
    settled: found.settled,
    note: found.note,
    blocks: found.blocks,
  };
}

export function registerConflicts(program: Command): void {
  program
    .command("conflicts")
    .description("list the conflicts left in the work tree (default: every unmerged state file)")
    .argument("[file...]", "state files to look at")
    .option("--json", "print a JSON document for scripts")
    .option("--show-secrets", "print secret values instead of their hashes")
    .action((files: string[], o: { json?: boolean; showSecrets?: boolean }) => {
      const repo = findRepo();
      if (!repo) {
        process.stderr.write("statefile-merge conflicts: not inside a Git work tree; run it in the repository with the merge\n");
        process.exitCode = 2;
        return;
      }
      const notFile = files.find((f) => existsSync(f) && !statSync(f).isFile());
      if (notFile !== undefined) {
        process.stderr.write(`statefile-merge conflicts: ${notFile} is not a file; name a state file, or none to list every unmerged one\n`);
        process.exitCode = 2;
        return;
      }
      const { paths, explicit, declared } = filesToList(repo, files);
      const showSecrets = o.showSecrets === true;
      const found = paths.map((p) => listConflicts(repo, p, showSecrets)).filter((f) => explicit || isStateFile(f, declared));
      // A named file that is neither in the work tree nor in conflict in Git's index: a mistyped name.
      const unknown = explicit ? found.find((f) => f.source === "none" && !existsSync(join(repo.top, f.path))) : undefined;
      if (unknown !== undefined) {
        process.stderr.write(`statefile-merge conflicts: ${displayPath(repo, unknown.path)}: no such file in the work tree, nor in conflict in Git's index; name a state file, or none to list every unmerged one\n`);
        process.exitCode = 2;
        return;
      }
      const operation = currentOperation(repo);
      if (o.json) {
        const doc = { operation, files: found.map((f) => jsonFile(repo, f, showSecrets)) };
        process.stdout.write(JSON.stringify(doc, null, 2) + "\n");
      } else {
        if (operation.kind === "rebase" && found.length > 0) {
          process.stdout.write(`rebase in progress: "ours" is ${operation.ours}; "theirs" is ${operation.theirs}\n`);
        }
        for (const f of found) for (const line of textLines(repo, f, showSecrets)) process.stdout.write(line + "\n");
        if (found.length === 0) process.stderr.write("statefile-merge: no unmerged state files\n");
      }
      const open = found.some((f) => f.conflicts.length > 0 || f.blocks.length > 0 || (f.source === "index" && f.profile === null));
      process.exitCode = open ? 1 : 0;
    });
}
