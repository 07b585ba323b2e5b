// `statefile-merge nixops`: run nixops on the state file kept in Git (see src/wrapper/).

import { InvalidArgumentError, Option, type Command } from "commander";
import { runWrapped } from "../wrapper/runWrapped";
import { DEFAULT_STATE_FILE } from "../wrapper/stateFileChoice";
import { nixopsMajor } from "./options";

const DEFAULT_STALE_AFTER = "2h";

/** "90m", "2h", "1d" (or seconds, "45s") in milliseconds. */
function duration(value: string): number {
  const m = /^(\d+)([smhd])$/.exec(value.trim());
  if (!m || Number(m[1]) === 0) throw new InvalidArgumentError("expected a duration such as 90m, 2h or 1d");
  return Number(m[1]) * { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 }[m[2] as "s" | "m" | "h" | "d"];
}

export function registerNixops(program: Command): void {
  program
    .command("nixops")
    .description("run nixops on a state file kept in Git: import it into a private temporary statefile, run, export it back")
    .usage("[--state FILE] [--commit] [--push] [--nixops PATH] [--nixops-version 1|2] [--no-remote-lock] [--force-unlock] [--lock-stale-after 2h] [--allow-behind] -- <nixops arguments>")
    .argument("<nixops-args...>", "the nixops command and its arguments (after --)")
    .showHelpAfterError("(nixops' own arguments go after --, e.g. statefile-merge nixops -- deploy -d prod)")
    .option("--state <file>", `the \`nixops export --all\` file in the repository (default: ${DEFAULT_STATE_FILE}, if it exists)`)
    .option("--commit", "commit the state file afterwards, naming the command and the changed deployments")
    .option("--push", "commit the state file and push the commit to the branch's upstream before the team-wide deploy lock is released (implies --commit)")
    .option("--nixops <path>", "the nixops executable", "nixops")
    .option("--nixops-version <major>", "NixOps major version (1 or 2) instead of asking nixops --version", nixopsMajor)
    .option("--no-remote-lock", "do not take the team-wide deploy lock on the Git remote (offline); only this clone is locked")
    .option("--force-unlock", "break the team-wide deploy lock someone else holds, then run")
    // The default shown as written ("2h"), not as the milliseconds it stands for.
    .addOption(new Option("--lock-stale-after <duration>", "call a deploy lock older than this stale (e.g. 90m, 2h, 1d)").argParser(duration).default(duration(DEFAULT_STALE_AFTER), DEFAULT_STALE_AFTER))
    .option("--allow-behind", "deploy even when the branch is behind its upstream")
    .action(async (args: string[], o: Record<string, unknown>) => {
      process.exitCode = await runWrapped({
        stateFile: o.state as string | undefined,
        nixopsArgs: args,
        nixops: o.nixops as string,
        nixopsMajor: o.nixopsVersion as number | undefined,
        commit: o.commit === true,
        push: o.push === true,
        remoteLock: o.remoteLock !== false,
        forceUnlock: o.forceUnlock === true,
        staleAfterMs: o.lockStaleAfter as number,
        allowBehind: o.allowBehind === true,
      });
    });
}
