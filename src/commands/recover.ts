// `statefile-merge recover`: bring the state a wrapped nixops run left behind into the state file (see src/wrapper/recoverRun.ts).

import type { Command } from "commander";
import { nixopsMajor } from "./options";
import { recoverRun } from "../wrapper/recoverRun";
import { DEFAULT_STATE_FILE } from "../wrapper/stateFileChoice";

export function registerRecover(program: Command): void {
  program
    .command("recover")
    .description("bring the state a wrapped nixops run left behind (its export failed, the file changed meanwhile, or it was killed) into the state file, then delete what it left")
    .option("--state <file>", `the state file the run was on (default: ${DEFAULT_STATE_FILE}, if it exists)`)
    .option("--nixops <path>", "the nixops executable, to export the run's statefile", "nixops")
    .option("--nixops-version <major>", "NixOps major version (1 or 2) instead of asking nixops --version", nixopsMajor)
    .action(async (o: { state?: string; nixops: string; nixopsVersion?: number }) => {
      process.exitCode = await recoverRun({ stateFile: o.state, nixops: o.nixops, nixopsMajor: o.nixopsVersion });
    });
}
