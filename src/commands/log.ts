// `statefile-merge log [REV-RANGE] [-- FILE...]`: one line per commit that changed a state
// file: short hash, date, author, and what the change deployed.

import type { Command } from "commander";
import { findRepo, repoPath } from "../git/indexStages";
import { deployLog, type LoggedCommit } from "../review/deployLog";
import { fileViewFor, unusablePolicyNote } from "../view/fileView";
import { positiveInt } from "./options";

function line(c: LoggedCommit, withPaths: boolean): string {
  const what = c.changes.map((ch) => (withPaths ? `${ch.path}: ${ch.summary}` : ch.summary)).join(" | ");
  return `${c.short} ${c.date} ${c.author}  ${what}`;
}

export function registerLog(program: Command): void {
  program
    .command("log")
    .description("one line per commit that changed a state file: hash, date, author, what was deployed")
    .argument("[range...]", "revision range (git log syntax); then -- FILE... to follow given files")
    .option("--json", "print a JSON document for scripts")
    .option("--first-parent", "follow the first parent only, summarising merges against it (default: skip merges)")
    .option("-n, --max-count <n>", "look at no more than n commits", positiveInt)
    .action((args: string[], o: { json?: boolean; firstParent?: boolean; maxCount?: number }, cmd: Command) => {
      // Commander drops the "--" itself; the raw arguments say where the file list starts.
      const raw = (cmd.parent as unknown as { rawArgs?: string[] } | null)?.rawArgs ?? process.argv;
      const dash = raw.indexOf("--");
      const fileCount = dash >= 0 ? raw.length - dash - 1 : 0;
      const range = args.slice(0, args.length - fileCount);
      const files = args.slice(args.length - fileCount);
      const repo = findRepo();
      if (!repo) {
        process.stderr.write("statefile-merge log: not inside a Git work tree\n");
        process.exitCode = 2;
        return;
      }
      const note = unusablePolicyNote(fileViewFor(repo.top, null));
      if (note) process.stderr.write(`statefile-merge log: ${note}\n`);
      let commits: LoggedCommit[];
      try {
        commits = deployLog(repo, { range, paths: files.map((f) => repoPath(repo, f)), firstParent: o.firstParent === true, maxCount: o.maxCount });
      } catch (e) {
        process.stderr.write(`statefile-merge log: ${(e as Error).message}\n`);
        process.exitCode = 2;
        return;
      }
      if (o.json) {
        process.stdout.write(JSON.stringify(commits, null, 2) + "\n");
        return;
      }
      const withPaths = new Set(commits.flatMap((c) => c.changes.map((ch) => ch.path))).size > 1;
      for (const c of commits) process.stdout.write(line(c, withPaths) + "\n");
    });
}
