// `statefile-merge uninstall`: remove exactly what `install` added (values it did not write
// stay). The committed .gitattributes changes only with --attributes.

import type { Command } from "commander";
import { uninstall } from "../git/install";

export function registerUninstall(program: Command): void {
  program
    .command("uninstall")
    .description("remove the driver config and the attribute lines that install added")
    .option("--global", "clean the global Git config and the global attributes file instead of this repository's config")
    .option("--attributes", "also remove install's lines from the committed .gitattributes (the whole team's set-up)")
    .action((o: { global?: boolean; attributes?: boolean }) => {
      try {
        for (const line of uninstall({ cwd: process.cwd(), global: o.global === true, attributes: o.attributes === true })) process.stdout.write(line + "\n");
      } catch (e) {
        process.stderr.write(`statefile-merge uninstall: ${(e as Error).message}\n`);
        process.exitCode = 2;
      }
    });
}
