// How the wrapper talks to NixOps 1.7 and 2.0. Both read the statefile path from NIXOPS_STATE;
// 1.x also takes `-s FILE` after the subcommand (which we pass so an older 1.x, or a shell
// alias, cannot pick another file), while 2.0 has no -s at all.

import { spawnSync } from "node:child_process";
import { shellWord } from "../git/shellQuote";
import { WrapperError } from "./errors";
import { errnoWords } from "../io/errnoWords";

export interface Nixops {
  executable: string;
  /** 1 for NixOps 1.x (Python 2), 2 for NixOps 2.x. */
  major: number;
  version: string;
}

/** `nixops --version` prints "NixOps 2.0.0" (stdout) or "NixOps 1.7" (stderr, Python 2's argparse). */
export function detectNixops(executable: string, env: NodeJS.ProcessEnv, forcedMajor?: number): Nixops {
  if (forcedMajor !== undefined) return { executable, major: forcedMajor, version: `${forcedMajor}.x (given)` };
  const r = spawnSync(executable, ["--version"], { env, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"], timeout: 60_000 });
  if (r.error) {
    const err = r.error as NodeJS.ErrnoException;
    // A bare name is looked up on PATH; a path is what --nixops gave.
    if (err.code === "ENOENT" && !executable.includes("/")) throw new WrapperError(`statefile-merge: ${executable} is not on PATH; put nixops on PATH or give --nixops PATH`);
    throw new WrapperError(`statefile-merge: cannot run ${executable} (${errnoWords(err)}); give --nixops the path of a nixops executable`);
  }
  const match = /NixOps (\d+)\.(\d+)[^\s]*/.exec(`${r.stdout}\n${r.stderr}`);
  if (r.status !== 0 || !match) {
    throw new WrapperError(`statefile-merge: ${executable} --version did not print "NixOps <version>"; give --nixops-version 1 or 2`);
  }
  return { executable, major: Number(match[1]), version: match[0].slice("NixOps ".length) };
}

/** The user's nixops arguments with the statefile added for 1.x (after the subcommand). */
export function withStatefile(nixops: Nixops, args: readonly string[], statefile: string): string[] {
  const stateOption = args.findIndex((a) => a === "-s" || a === "--state" || a.startsWith("--state="));
  if (stateOption >= 0) {
    throw new WrapperError(`statefile-merge: do not pass ${args[stateOption]} to a wrapped nixops; the wrapper picks the statefile (use --state on statefile-merge)`);
  }
  if (nixops.major >= 2) return [...args];
  const sub = args.findIndex((a) => !a.startsWith("-"));
  if (sub < 0) return [...args];
  return [...args.slice(0, sub + 1), "-s", statefile, ...args.slice(sub + 1)];
}

export function nixopsEnv(statefile: string): NodeJS.ProcessEnv {
  return { ...process.env, NIXOPS_STATE: statefile };
}

/**
 * `--arg`, `--argstr`, and the abbreviations of `--argstr` that NixOps' argparse takes for it
 * (`--args`, `--argst`): each is followed by a name and a value.
 */
const ARG_OPTION = /^--arg(s(tr?)?)?$/;

/** The command as people read it, with `--arg`/`--argstr` values hidden (they can be secrets). */
export function describeCommand(args: readonly string[]): string {
  const shown: string[] = [];
  for (let i = 0; i < args.length; i++) {
    shown.push(shellWord(args[i]));
    if (ARG_OPTION.test(args[i])) {
      if (i + 1 < args.length) shown.push(shellWord(args[++i]));
      if (i + 1 < args.length) {
        i++;
        shown.push("<hidden>");
      }
    }
  }
  return ["nixops", ...shown].join(" ");
}

