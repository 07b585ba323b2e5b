// `statefile-merge fmt FILE...`: `check --fix`.

import type { Command } from "commander";
import { runCheck } from "./check";

export function registerFmt(program: Command): void {
  program
    .command("fmt")
    .description("rewrite state files in nixops export layout (check --fix)")
    .argument("<file...>", "files to format")
    .action((files: string[]) => {
      process.exitCode = runCheck(files, { fix: true });
    });
}
