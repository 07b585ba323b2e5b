// `statefile-merge nixops`: run nixops on the state file kept in Git (see src/wrapper/).

import { InvalidArgumentError, type Command } from "commander";
import { runWrapped } from "../wrapper/runWrapped";

const DEFAULT_STATE_FILE = "deployments.nixops.json";

function major(value: string): number {
  if (value !== "1" && value !== "2") throw new InvalidArgumentError("expected 1 or 2");
  return Number(value);
}

export function registerNixops(program: Command): void {
  program
    .command("nixops")
    .description("run nixops on a state file kept in Git: import it into a private temporary statefile, run, export it back")
    .usage("[--state FILE] [--commit] [--nixops PATH] -- <nixops arguments>")
    .argument("<nixops-args...>", "the nixops command and its arguments (after --)")
    .showHelpAfterError("(nixops' own arguments go after --, e.g. statefile-merge nixops -- deploy -d prod)")
    .option("--state <file>", "the `nixops export --all` file in the repository", DEFAULT_STATE_FILE)
    .option("--commit", "commit the state file afterwards, naming the command and the changed deployments")
    .option("--nixops <path>", "the nixops executable", "nixops")
    .option("--nixops-version <major>", "NixOps major version (1 or 2) instead of asking nixops --version", major)
    .action(async (args: string[], o: Record<string, unknown>) => {
      process.exitCode = await runWrapped({
        stateFile: o.state as string,
        nixopsArgs: args,
        nixops: o.nixops as string,
        nixopsMajor: o.nixopsVersion as number | undefined,
        commit: o.commit === true,
      });
    });
}
