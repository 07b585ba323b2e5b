// `statefile-merge textconv FILE`: Git's diff.<driver>.textconv entry point, which `git log -p`
// and `git show` use without --ext-diff. Prints a readable, secret-free form of the state; for
// a file with conflict markers (git diff during a merge), the conflicting values per side.

import { readFileSync } from "node:fs";
import { isAbsolute } from "node:path";
import type { Command } from "commander";
import { JsonParseError } from "../formats/parseJson";
import { findRepo, repoPath } from "../git/indexStages";
import { readableState } from "../review/readableState";
import { readableConflict } from "../review/readableConflict";
import { fileViewFor, unusablePolicyNote } from "../view/fileView";
import { NotReviewable } from "../review/reviewedDocument";
import { errnoWords } from "../io/errnoWords";

export function registerTextconv(program: Command): void {
  program
    .command("textconv")
    .description("print a state file for reading: keys sorted, embedded JSON opened, secrets hashed (git diff.<driver>.textconv)")
    .argument("<file>", "the file Git hands over")
    .option("--show-secrets", "print secret values instead of their hashes")
    .action((file: string, o: { showSecrets?: boolean }) => {
      let text: string;
      try {
        text = readFileSync(file, "utf8");
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code;
        if (code === undefined) throw e;
        process.stderr.write(`statefile-merge textconv: cannot read ${file} (${errnoWords(e as NodeJS.ErrnoException)}); name a readable state file\n`);
        process.exitCode = 2;
        return;
      }
      // Git hands over a temporary copy of a stored version (the view then hides what any policy
      // entry calls secret), but the work-tree file by its own path, from the top of the work tree.
      const repo = findRepo();
      const path = repo !== null && !isAbsolute(file) ? repoPath(repo, file) : null;
      const view = fileViewFor(repo ? repo.top : null, path !== null && !path.startsWith("..") ? path : null);
      const note = unusablePolicyNote(view);
      if (note) process.stderr.write(`statefile-merge textconv: ${note}\n`);
      const showSecrets = o.showSecrets === true;
      try {
        process.stdout.write(readableConflict(text, view, showSecrets) ?? readableState(text, { showSecrets, view }));
      } catch (e) {
        if (!(e instanceof JsonParseError) && !(e instanceof NotReviewable)) throw e;
        // Never the raw text, nor a way to print it: it may hold secrets the structured view would have hashed.
        const what = e instanceof JsonParseError ? "not valid JSON" : e.problem;
        process.stdout.write(`statefile-merge: ${what} (${e.message}); statefile-merge check on the file names every place to fix\n`);
      }
    });
}
