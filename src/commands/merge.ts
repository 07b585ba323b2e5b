// `statefile-merge merge`: the driver mode Git calls. Its options come from the one table in
// driver/mergeArguments.ts, which the bin's quick reader uses too.

import { Option, type Command } from "commander";
import { runMergeDriver, type DriverOptions } from "../driver/runMergeDriver";
import { CONFLICT_STYLES, MERGE_OPTIONS } from "../driver/mergeArguments";
import { positiveInt } from "./options";

export function registerMerge(program: Command): void {
  const command = program
    .command("merge")
    .description("three-way merge BASE OURS THEIRS (Git: merge %O %A %B -p %P -l %L -s %S -x %X -y %Y)")
    .argument("<base>", "common ancestor (%O); an empty file means no base")
    .argument("<ours>", "our version (%A); replaced by the result unless -o is given")
    .argument("<theirs>", "their version (%B)");
  for (const o of MERGE_OPTIONS) {
    const flags = [o.short, o.value ? `${o.long} <${o.value}>` : o.long].filter(Boolean).join(", ");
    const option = new Option(flags, o.help);
    if (o.kind === "positive") option.argParser(positiveInt);
    if (o.kind === "style") option.choices(CONFLICT_STYLES);
    command.addOption(option);
  }
  command.action((base: string, ours: string, theirs: string, o: Record<string, unknown>) => {
    const options: DriverOptions = { base, ours, theirs, virtualBase: o.virtualBase === true };
    for (const { field } of MERGE_OPTIONS) if (field !== "virtualBase" && o[field] !== undefined) (options as unknown as Record<string, unknown>)[field] = o[field];
    process.exitCode = runMergeDriver(options);
  });
}
