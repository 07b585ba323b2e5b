// `statefile-merge resolve FILE (--ours|--theirs|--base) [SELECTOR...] [--add]`.

import { Option, type Command } from "commander";
import type { Side } from "../core/merged";
import { conflictLine } from "../report/mergeReport";
import { currentOperation, displayPath, findRepo, repoPath, stagePath } from "../git/indexStages";
import { resolveFile, ResolveRefusal } from "../resolve/resolveFile";
import { SelectorError } from "../resolve/selectors";

export function registerResolve(program: Command): void {
  program
    .command("resolve")
    .description("settle conflicts of FILE to one side, re-merging it from the index (all conflicts when no selector)")
    .argument("<file>", "the conflicted state file")
    .argument("[selector...]", "deployment, resource or attribute: prod, prod/app1, prod/app1/toplevel, prod/app1/keys/app-env")
    .addOption(new Option("--ours", "take ours (during a rebase: the upstream)").conflicts(["theirs", "base"]))
    .addOption(new Option("--theirs", "take theirs (during a rebase: your commit being replayed)").conflicts(["ours", "base"]))
    .addOption(new Option("--base", "take the common ancestor's value").conflicts(["ours", "theirs"]))
    .option("--add", "stage the file (git add) when no conflict remains")
    .option("--force", "overwrite a work-tree copy edited since the merge (a backup is kept)")
    .option("--show-secrets", "print secret values instead of their hashes")
    .action((file: string, selectors: string[], o: { ours?: boolean; theirs?: boolean; base?: boolean; add?: boolean; force?: boolean; showSecrets?: boolean }) => {
      const fail = (message: string, code = 2) => {
        process.stderr.write(`statefile-merge resolve: ${message}\n`);
        process.exitCode = code;
      };
      const side: Side | null = o.ours ? "ours" : o.theirs ? "theirs" : o.base ? "base" : null;
      if (!side) return fail("say which side to take: --ours, --theirs or --base");
      const repo = findRepo();
      if (!repo) return fail("not inside a Git work tree; run it in the repository with the merge");
      const path = repoPath(repo, file);
      const name = displayPath(repo, path);
      let outcome;
      try {
        outcome = resolveFile(repo, { path, side, selectors, force: o.force === true, showSecrets: o.showSecrets === true });
      } catch (e) {
        if (e instanceof ResolveRefusal || e instanceof SelectorError) return fail(e.message);
        throw e;
      }
      const operation = currentOperation(repo);
      const err = (s: string) => process.stderr.write(s + "\n");
      if (operation.kind === "rebase" && side !== "base") err(`statefile-merge: rebase in progress: ${side} is ${operation[side]}`);
      if (outcome.backup) err(`statefile-merge: the previous ${name} was saved as ${outcome.backup}`);
      err(`statefile-merge: ${name}: settled ${outcome.settledNow.length} conflict(s) to ${side}; ${outcome.remaining.length} remain`);
      const { profile, documents } = outcome.result;
      for (const c of outcome.remaining) {
        err(`${name}: ${conflictLine(c, profile, documents, { showSecrets: o.showSecrets === true })}`);
      }
      if (o.add) {
        if (outcome.remaining.length === 0) {
          stagePath(repo, path);
          err(`statefile-merge: staged ${name}`);
        } else {
          err(`statefile-merge: not staging ${name}: conflicts remain`);
        }
      }
      process.exitCode = outcome.remaining.length > 0 ? 1 : 0;
    });
}
