// The command line: wires commands to the modules that do the work, nothing more. Each
// command lives in src/commands/ and registers itself here.

import { readFileSync } from "node:fs";
import { join } from "node:path";
import { Command, CommanderError } from "commander";
import { registerMerge } from "./commands/merge";
import { registerNixops } from "./commands/nixops";
import { registerRecover } from "./commands/recover";
import { registerInstall } from "./commands/install";
import { registerUninstall } from "./commands/uninstall";
import { registerDoctor } from "./commands/doctor";
import { registerConflicts } from "./commands/conflicts";
import { registerResolve } from "./commands/resolve";
import { registerCheck } from "./commands/check";
import { registerFmt } from "./commands/fmt";
import { registerDiff } from "./commands/diff";
import { registerGitDiff } from "./commands/gitDiff";
import { registerLog } from "./commands/log";
import { registerTextconv } from "./commands/textconv";
import { registerVerify } from "./commands/verify";

const COMMANDS: Array<(program: Command) => void> = [registerMerge, registerInstall, registerUninstall, registerDoctor, registerNixops, registerRecover, registerConflicts, registerResolve, registerCheck, registerFmt, registerDiff, registerGitDiff, registerTextconv, registerLog, registerVerify];

/** The package's version, from package.json one level above src/ and dist/ (as bin reads it). */
export function packageVersion(): string {
  return (JSON.parse(readFileSync(join(__dirname, "..", "package.json"), "utf8")) as { version: string }).version;
}

export function buildProgram(): Command {
  const program = new Command("statefile-merge")
    .description("A Git merge driver for NixOps export JSON and other JSON state")
    .version(packageVersion(), "-V, --version", "print the version of statefile-merge")
    .exitOverride()
    .configureOutput({ writeOut: (s) => process.stdout.write(s), writeErr: (s) => process.stderr.write(s) });
  for (const register of COMMANDS) register(program);
  return program;
}

export function main(argv: string[]): void {
  // Nothing may escape to Git as an uncaught exception (it would read plain ours as a result).
  const die = (e: unknown) => {
    process.stderr.write(`statefile-merge: internal error: ${e instanceof Error ? e.message : String(e)}\n`);
    // 255: Git >= 2.42 then aborts the merge and changes nothing, rather than trusting %A.
    process.exit(255);
  };
  process.on("uncaughtException", die);
  process.on("unhandledRejection", die);
  // A pager or `head` that stops reading is not an error, for any command: stop quietly, as Git does.
  process.stdout.on("error", (e: NodeJS.ErrnoException) => {
    if (e.code !== "EPIPE") return die(e);
    process.exit(0);
  });
  try {
    buildProgram().parse(argv);
  } catch (e) {
    if (e instanceof CommanderError) {
      process.exitCode = e.exitCode === 0 ? 0 : 2;
      return;
    }
    die(e);
  }
}
