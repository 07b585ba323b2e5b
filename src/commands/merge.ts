// `statefile-merge merge`: the driver mode Git calls.

import { Option, type Command } from "commander";
import { runMergeDriver } from "../driver/runMergeDriver";
import { positiveInt } from "./options";

export function registerMerge(program: Command): void {
  program
    .command("merge")
    .description("three-way merge BASE OURS THEIRS (Git: merge %O %A %B -p %P -l %L -s %S -x %X -y %Y)")
    .argument("<base>", "common ancestor (%O); an empty file means no base")
    .argument("<ours>", "our version (%A); replaced by the result unless -o is given")
    .argument("<theirs>", "their version (%B)")
    .option("-p, --path <path>", "path of the file in the work tree (%P), for messages")
    .option("-l, --marker-size <n>", "conflict marker size (%L)", positiveInt)
    .option("-s, --base-label <label>", "label of the base section (%S)")
    .option("-x, --ours-label <label>", "label of ours (%X)")
    .option("-y, --theirs-label <label>", "label of theirs (%Y)")
    .option("-o, --output <file>", "write the result here ('-' for stdout) instead of replacing ours")
    .option("--report-json <file>", "write a JSON report of conflicts and auto-resolved values")
    .addOption(new Option("--conflict-style <style>", "override git config merge.conflictStyle").choices(["merge", "diff3", "zdiff3"]))
    .option("--virtual-base", "criss-cross inner merge: conflicts take the base value, exit 0")
    .addOption(new Option("--max-bytes <n>", "inputs larger than this go to git merge-file").argParser(positiveInt))
    .action((base: string, ours: string, theirs: string, o: Record<string, unknown>) => {
      process.exitCode = runMergeDriver({
        base,
        ours,
        theirs,
        path: o.path as string | undefined,
        markerSize: o.markerSize as number | undefined,
        baseLabel: o.baseLabel as string | undefined,
        oursLabel: o.oursLabel as string | undefined,
        theirsLabel: o.theirsLabel as string | undefined,
        output: o.output as string | undefined,
        reportJson: o.reportJson as string | undefined,
        conflictStyle: o.conflictStyle as "merge" | "diff3" | "zdiff3" | undefined,
        virtualBase: o.virtualBase === true,
        maxBytes: o.maxBytes as number | undefined,
      });
    });

}
