// `statefile-merge check FILE... [--fix]`: a pre-commit check that state files are what
// nixops export prints. Messages are FILE:LINE:COLUMN: what is wrong and what to do.

import { readFileSync } from "node:fs";
import type { Command } from "commander";
import { writeFileAtomic } from "../io/atomicWrite";
import { findRepo, repoPath } from "../git/indexStages";
import { markerSizeOf } from "../git/attributes";
import { declaredStateFiles, isStateFileName } from "../view/stateFiles";
import { checkState } from "../review/check/checkState";
import { firstInvalidUtf8 } from "../formats/utf8Text";
import { fileViewFor, PLAIN_VIEW } from "../view/fileView";
import { errnoWords } from "../io/errnoWords";

export interface CheckOptions {
  fix: boolean;
}

/** Checks (and with fix, rewrites) each file; returns the exit status. */
export function runCheck(files: string[], request: CheckOptions): number {
  const repo = findRepo();
  const inRepo = repo ? files.map((f) => repoPath(repo, f)) : files;
  const declared = declaredStateFiles(repo, inRepo.filter((p) => !p.startsWith("..")));
  let failed = false;
  let unreadable = false;
  files.forEach((file, i) => {
    let data: Buffer;
    try {
      data = readFileSync(file);
    } catch (e) {
      process.stderr.write(`${file}: cannot read it (${errnoWords(e as NodeJS.ErrnoException)}); name a readable file\n`);
      unreadable = true;
      return;
    }
    // Never decoded lossily: --fix would write U+FFFD over the byte.
    const bad = firstInvalidUtf8(data);
    if (bad) {
      process.stderr.write(`${file}:${bad.line}:${bad.column}: byte 0x${data[bad.offset].toString(16).padStart(2, "0")} is not UTF-8 (a file saved as Latin-1?); save the file as UTF-8, nothing was rewritten\n`);
      failed = true;
      return;
    }
    const text = data.toString("utf8");
    const inside = repo !== null && !inRepo[i].startsWith("..");
    const view = inside ? fileViewFor(repo.top, inRepo[i]) : PLAIN_VIEW;
    // What the policy file says decides how the file is read (its kind, its keyed arrays): the
    // merge falls back to a line merge without it, and so no check can pass here.
    if (view.problem) {
      process.stderr.write(`${file}: not checked: ${view.problem}; fix it (statefile-merge doctor lists every mistake), nothing was rewritten\n`);
      failed = true;
      return;
    }
    const options = {
      view,
      declared: isStateFileName(file) ? ("name" as const) : declared.has(inRepo[i]) ? ("attributes" as const) : null,
      markerSize: inside ? (markerSizeOf(repo, inRepo[i]) ?? undefined) : undefined,
    };
    let result = checkState(text, options);
    if (request.fix && result.fixed !== null) {
      try {
        writeFileAtomic(file, result.fixed.text);
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code === undefined) throw e;
        process.stderr.write(`${file}: cannot rewrite it (${errnoWords(e as NodeJS.ErrnoException)}, writing a file beside it first); nothing was changed\n`);
        failed = true;
        return;
      }
      process.stderr.write(`${file}: rewritten in ${result.fixed.layoutName} layout\n`);
      result = checkState(result.fixed.text, options);
    }
    for (const p of result.problems) {
      process.stderr.write(`${file}:${p.line}:${p.column}: ${p.message}${p.fixable && !request.fix ? " (statefile-merge fmt fixes this)" : ""}\n`);
    }
    if (result.problems.length > 0) failed = true;
  });
  return unreadable ? 2 : failed ? 1 : 0;
}

export function registerCheck(program: Command): void {
  program
    .command("check")
    .description("check state files: JSON, no conflict markers, NixOps shape, string values, nixops export layout")
    .argument("<file...>", "files to check")
    .option("--fix", "rewrite files in nixops export layout (what `fmt` does)")
    .action((files: string[], o: { fix?: boolean }) => {
      process.exitCode = runCheck(files, { fix: o.fix === true });
    });
}
