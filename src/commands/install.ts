// `statefile-merge install`: configure the merge driver (and the diff driver) for this clone
// or for every repository of this user, and mark the state files in attributes.

import { Option, type Command } from "commander";
import { DEFAULT_PATTERNS, install, type AttributesTarget } from "../git/install";

export function registerInstall(program: Command): void {
  program
    .command("install")
    .description("configure the statefile merge and diff drivers and add attribute lines (idempotent)")
    .option("--global", "write the driver config to the global Git config instead of this repository's")
    .option("--pattern <glob>", `a path pattern to mark (repeatable; default: ${DEFAULT_PATTERNS.join(", ")})`, collect, [])
    .addOption(
      new Option("--attributes-file <where>", "'.gitattributes' (committed, shared with the team) or 'info' (.git/info/attributes, this clone only)")
        .choices([".gitattributes", "gitattributes", "info"])
        .default(".gitattributes"),
    )
    .action((o: { global?: boolean; pattern: string[]; attributesFile: string }) => {
      const target: AttributesTarget = o.attributesFile === "info" ? "info" : "gitattributes";
      try {
        const report = install({
          cwd: process.cwd(),
          global: o.global === true,
          patterns: o.pattern.length > 0 ? o.pattern : DEFAULT_PATTERNS,
          attributesFile: target,
        });
        for (const line of report) process.stdout.write(line + "\n");
      } catch (e) {
        process.stderr.write(`statefile-merge install: ${(e as Error).message}\n`);
        process.exitCode = 2;
      }
    });
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}
