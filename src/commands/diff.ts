// `statefile-merge diff OLD NEW`: what changed between two state files, in machines and
// attributes. Exit 0 when they mean the same, 1 when they differ, 2 when one cannot be read.

import { readFileSync, realpathSync } from "node:fs";
import { dirname } from "node:path";
import type { Command } from "commander";
import { findRepo, repoPath } from "../git/indexStages";
import { diffTexts, UnreadableSide, type TextDiff } from "../review/diffTexts";
import { diffJson, renderDiffText } from "../review/renderDiff";
import { fileViewFor, fileViewForBoth, PLAIN_VIEW, unusablePolicyNote, type FileView } from "../view/fileView";
import { errnoWords } from "../io/errnoWords";
import { shellWord } from "../git/shellQuote";

export interface DiffOutputOptions {
  json?: boolean;
  color?: boolean;
  showSecrets?: boolean;
}

/** Colour when asked, else on a terminal unless NO_COLOR is set. */
function wantColor(flag: boolean | undefined, tty: boolean): boolean {
  if (flag !== undefined) return flag;
  if (process.env.NO_COLOR) return false;
  return tty;
}

export function diffOutput(result: TextDiff, o: DiffOutputOptions): string {
  const options = { showSecrets: o.showSecrets === true, color: o.color === true };
  if (o.json) return JSON.stringify(diffJson(result.diff, result.profile, options), null, 2) + "\n";
  return renderDiffText(result.diff, result.profile, options).join("\n") + "\n";
}

function hasChanges(result: TextDiff): boolean {
  if (result.diff.kind === "tfstate") return result.diff.plan.changes.length > 0;
  return result.diff.kind === "json" ? result.diff.changes.length > 0 : result.diff.deployments.length > 0;
}

function readSide(file: string): string | null {
  if (file === "/dev/null") return null;
  try {
    return readFileSync(file === "-" ? 0 : file, "utf8");
  } catch (e) {
    // Node leaves the path out of some errors (EISDIR): the message must name the file.
    const err = e as NodeJS.ErrnoException;
    if (err.code) err.path ??= file;
    throw e;
  }
}

/**
 * How the two files are read: in the work tree holding them, the new file's view, also hiding
 * what the old one's entry calls secret (`diff old.json tenants.json` or `diff tenants.json
 * /tmp/new.json`: a version saved outside is read the way the file in the work tree is);
 * with neither in one, from inside a repository, every secret name its policy lists (as
 * textconv reads Git's temporary copies); elsewhere the plain view.
 */
function viewOf(oldFile: string, newFile: string): FileView {
  const places = [oldFile, newFile].map((file) => {
    if (file === "/dev/null" || file === "-") return null;
    const abs = realpathSync(file);
    const repo = findRepo(dirname(abs));
    const path = repo === null ? null : repoPath(repo, abs);
    return repo === null || path === null || path.startsWith("../") ? null : { top: repo.top, path };
  });
  const [before, after] = places;
  const top = (after ?? before)?.top;
  if (top !== undefined) {
    const inTop = (p: typeof before) => (p !== null && p.top === top ? p.path : null);
    return fileViewForBoth(top, inTop(before), inTop(after) ?? inTop(before));
  }
  const here = findRepo();
  return here ? fileViewFor(here.top, null) : PLAIN_VIEW;
}

export function registerDiff(program: Command): void {
  program
    .command("diff")
    .description("semantic diff of two state files: per deployment and resource, what was added, removed, re-created, deployed")
    .argument("<old>", "the old file (/dev/null: none)")
    .argument("<new>", "the new file (/dev/null: none)")
    .option("--json", "print a JSON document for scripts")
    .option("--color", "colour the output even when it is not a terminal")
    .option("--no-color", "never colour the output")
    .option("--show-secrets", "print secret values instead of their hashes")
    .action((oldFile: string, newFile: string, o: { json?: boolean; color?: boolean; showSecrets?: boolean }) => {
      let result: TextDiff;
      try {
        const view = viewOf(oldFile, newFile);
        const note = unusablePolicyNote(view);
        if (note) process.stderr.write(`statefile-merge diff: ${note}\n`);
        result = diffTexts(readSide(oldFile), readSide(newFile), view);
      } catch (e) {
        if (e instanceof UnreadableSide) {
          const file = e.side === "old" ? oldFile : newFile;
          const what = e.problem === "not valid JSON" ? `not valid JSON (${e.reason.reason})` : e.reason.reason;
          process.stderr.write(`statefile-merge diff: ${file}:${e.reason.line}:${e.reason.column}: ${what}; fix it (statefile-merge check ${shellWord(file)})\n`);
        } else if ((e as NodeJS.ErrnoException).code) {
          const err = e as NodeJS.ErrnoException;
          process.stderr.write(`statefile-merge diff: cannot read ${err.path ?? "a file"} (${errnoWords(err)}); give two state files, or /dev/null for none\n`);
        } else throw e;
        process.exitCode = 2;
        return;
      }
      const color = o.json ? false : wantColor(o.color, process.stdout.isTTY === true);
      process.stdout.write(diffOutput(result, { json: o.json, color, showSecrets: o.showSecrets }));
      process.exitCode = hasChanges(result) ? 1 : 0;
    });
}
