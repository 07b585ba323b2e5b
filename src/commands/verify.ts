// `statefile-merge verify [--json] [<revision-range>...]` and `verify --pr <target> <head>`:
// the guard for merges made where the driver never ran (a forge's merge button, a hand
// resolution). Exit 0 all pass, 1 a problem found (or a merge that cannot be checked), 2
// usage or repository error.

import type { Command } from "commander";
import { findRepo } from "../git/indexStages";
import { HistoryError, isShallow } from "../verify/gitHistory";
import { verifyHistory } from "../verify/verifyHistory";
import { verifyPullRequest } from "../verify/verifyPullRequest";
import { historyJson, historyText, prJson, prText } from "../verify/verifyReport";

interface VerifyOptions {
  json?: boolean;
  pr?: boolean;
}

function fail(message: string): void {
  process.stderr.write(`statefile-merge verify: ${message}\n`);
  process.exitCode = 2;
}

export function registerVerify(program: Command): void {
  program
    .command("verify")
    .description("check that merge commits merged the state files as the driver would (or, with --pr, that the forge's merge button would)")
    .argument("[revisions...]", "revision range of merges to check (git rev-list syntax; default: the whole history of HEAD); with --pr: <target> <head>")
    .option("--pr", "check a pull request: would the forge's line merge of <target> and <head> equal the driver's merge?")
    .option("--json", "print a JSON document for scripts")
    .addHelpText("after", "\nExit status: 0 every merge passes (with --pr: the forge's merge agrees with the driver's),\n1 a problem found or a merge that cannot be checked, 2 a usage or repository error.\nSee docs/ci.md for the CI jobs that run it.")
    .action((revisions: string[], o: VerifyOptions) => {
      const repo = findRepo();
      if (!repo) return fail("not inside a Git work tree; run it in the repository's checkout");
      // Without the full history, merge bases are missing and every merge would look wrong.
      if (isShallow(repo.top)) return fail("this clone is shallow: fetch the whole history first (git fetch --unshallow; in CI: actions/checkout fetch-depth: 0, GitLab GIT_DEPTH: 0)");
      try {
        if (o.pr) {
          if (revisions.length !== 2) return fail("--pr takes two revisions: <target> <head> (e.g. origin/main HEAD)");
          const report = verifyPullRequest(repo, revisions[0], revisions[1]);
          process.stdout.write(o.json ? prJson(report) : prText(report));
          process.exitCode = report.status === "pass" ? 0 : 1;
          return;
        }
        const report = verifyHistory(repo, revisions);
        process.stdout.write(o.json ? historyJson(report) : historyText(report));
        process.exitCode = report.merges.every((m) => m.status === "pass") ? 0 : 1;
      } catch (e) {
        if (e instanceof HistoryError) return fail(e.message);
        throw e;
      }
    });
}
