// `statefile-merge git-diff`: Git's external diff contract (`diff.statefile.command`):
//   <path> <old-file> <old-hex> <old-mode> <new-file> <new-hex> <new-mode> [<new-path> <rename-info>]
// with /dev/null for an added or deleted file. Git prints nothing itself for such a path,
// so this prints the header too. It must exit 0, or Git stops the whole diff.

import { readFileSync } from "node:fs";
import type { Command } from "commander";
import { gitText, runGit } from "../git/run";
import { diffTexts, UnreadableSide, type TextDiff } from "../review/diffTexts";
import { findRepo } from "../git/indexStages";
import { fileViewForBoth, PLAIN_VIEW, unusablePolicyNote } from "../view/fileView";
import { diffOutput } from "./diff";

/** Git's own colour decision for diffs (color.diff / color.ui, pager or terminal). */
function gitWantsColor(): boolean {
  if (process.env.NO_COLOR) return false;
  const tty = process.stdout.isTTY === true || process.env.GIT_PAGER_IN_USE === "true";
  const answer = gitText(process.cwd(), ["config", "--get-colorbool", "color.diff", String(tty)]);
  return answer === null ? tty : answer.trim() === "true";
}

function readSide(file: string): string | null {
  return file === "/dev/null" ? null : readFileSync(file, "utf8");
}

export function registerGitDiff(program: Command): void {
  program
    .command("git-diff")
    .description("Git's diff.<driver>.command entry point (path old-file old-hex old-mode new-file new-hex new-mode)")
    .argument("<args...>", "the 7 (or 9, for a rename) arguments Git passes")
    .option("--show-secrets", "print secret values, and the line diff of files that are not JSON")
    .option("--json", "print the JSON diff instead of text")
    .action((args: string[], o: { showSecrets?: boolean; json?: boolean }) => {
      if (args.length !== 7 && args.length !== 9) {
        process.stderr.write(`statefile-merge git-diff: Git passes 7 or 9 arguments, got ${args.length}; configure diff.statefile.command = statefile-merge git-diff\n`);
        process.exitCode = 2;
        return;
      }
      const [path, oldFile, oldHex, , newFile, newHex] = args;
      const newPath = args.length === 9 ? args[7] : path;
      const color = !o.json && gitWantsColor();
      const bold = (s: string) => (color ? `\x1b[1m${s}\x1b[0m` : s);
      const out = (s: string) => process.stdout.write(s);
      out(bold(`diff --statefile a/${path} b/${newPath}`) + "\n");
      if (newPath !== path) out(bold(`rename from ${path}`) + "\n" + bold(`rename to ${newPath}`) + "\n");
      out(bold(`index ${oldHex.slice(0, 7)}..${newHex.slice(0, 7)}`) + "\n");
      let result: TextDiff;
      try {
        // Git runs diff commands at the top of the work tree and names paths from there.
        const repo = findRepo();
        const view = repo ? fileViewForBoth(repo.top, path, newPath) : PLAIN_VIEW;
        const note = unusablePolicyNote(view);
        if (note) process.stderr.write(`statefile-merge git-diff: ${note}\n`);
        result = diffTexts(readSide(oldFile), readSide(newFile), view);
      } catch (e) {
        if (!(e instanceof UnreadableSide)) throw e;
        out(`statefile-merge: ${e.message}; ${o.showSecrets ? "its line diff follows" : "see its lines with git diff --no-ext-diff (they may hold secrets)"}\n`);
        if (o.showSecrets) {
          const r = runGit(process.cwd(), ["diff", "--no-index", "--no-ext-diff", "--", oldFile, newFile]);
          out(r.stdout.toString("utf8"));
        }
        return;
      }
      out(diffOutput(result, { json: o.json, color, showSecrets: o.showSecrets }));
    });
}
