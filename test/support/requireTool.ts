// Tests that drive an outside tool (git-crypt) need it installed. On a machine without it they
// skip, saying in one line what is missing and how to get it, so that `npm test` passes on a
// fresh checkout; under CI (the CI variable set, as CI services do) the tool is required and its
// absence fails the test file loudly, so the tests can never be skipped there by accident.

import { accessSync, constants, statSync } from "node:fs";
import { delimiter, join } from "node:path";

/** Whether an executable of that name is on the PATH, as a process started with it would find. */
export function onPath(name: string, path = process.env.PATH ?? ""): boolean {
  return path
    .split(delimiter)
    .filter((dir) => dir !== "")
    .some((dir) => {
      const file = join(dir, name);
      try {
        accessSync(file, constants.X_OK);
        return statSync(file).isFile();
      } catch {
        return false;
      }
    });
}

/** Whether the environment says this is a CI run ("false" and "0" say it is not). */
export function underCi(env: NodeJS.ProcessEnv = process.env): boolean {
  const ci = env.CI;
  return ci !== undefined && ci !== "" && ci !== "false" && ci !== "0";
}

/**
 * True when `tool` is installed. Otherwise, outside CI: prints one line and returns false (use
 * it as `describe.skipIf(!requireTool(...))`); under CI: throws, failing the test file.
 */
export function requireTool(tool: string, install: string, env: NodeJS.ProcessEnv = process.env): boolean {
  if (onPath(tool, env.PATH ?? "")) return true;
  if (underCi(env)) throw new Error(`${tool} is not installed, and under CI the tests that use it must run; install it: ${install}`);
  process.stderr.write(`skipping tests that need ${tool}: it is not installed (install it: ${install})\n`);
  return false;
}
