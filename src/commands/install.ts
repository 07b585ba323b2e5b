// `statefile-merge install`: configure the merge driver (and the diff driver) for this clone
// or for every repository of this user, and mark the state files in attributes. The committed
// .gitattributes changes only with --attributes.

import { Option, type Command } from "commander";
import { DEFAULT_PATTERNS, install } from "../git/install";

export function registerInstall(program: Command): void {
  program
    .command("install")
    .description("configure the statefile merge and diff drivers and mark the state files (idempotent)")
    .option("--global", "write the driver config to the global Git config and the lines to the global attributes file; the repository it runs in is left alone")
    .option("--pattern <glob>", `a path pattern to mark (repeatable; default: ${DEFAULT_PATTERNS.join(", ")})`, collect, [])
    .option("--attributes", "add the lines to the committed .gitattributes, for the whole team (without it: .git/info/attributes, this clone only)")
    .addOption(
      new Option("--attributes-file <where>", "older spelling: '.gitattributes' is --attributes, 'info' the default")
        .choices([".gitattributes", "gitattributes", "info"]),
    )
    .action((o: { global?: boolean; pattern: string[]; attributes?: boolean; attributesFile?: string }) => {
      try {
        const report = install({
          cwd: process.cwd(),
          global: o.global === true,
          patterns: o.pattern.length > 0 ? o.pattern : DEFAULT_PATTERNS,
          attributes: o.attributes === true || (o.attributesFile !== undefined && o.attributesFile !== "info"),
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
