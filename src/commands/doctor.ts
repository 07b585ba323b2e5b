// `statefile-merge doctor`: report what would stop the driver from running (or running well)
// in this clone. Exit 0 when nothing is wrong, 1 on any error (any warning with --strict), 2
// when it cannot run at all.

import type { Command } from "commander";
import { doctorContext, runDoctor } from "../doctor/doctor";

export function registerDoctor(program: Command): void {
  program
    .command("doctor")
    .description("check this clone's driver set-up and state files (run from any directory of the repository)")
    .option("--strict", "fail on warnings too (e.g. Git older than 2.44, whose conflict labels are guessed)")
    .action((o: { strict?: boolean }) => {
      let ctx;
      try {
        ctx = doctorContext(process.cwd());
      } catch (e) {
        process.stderr.write(`statefile-merge doctor: ${(e as Error).message}\n`);
        process.exitCode = 2;
        return;
      }
      const { findings, exitCode } = runDoctor(ctx, { strict: o.strict === true });
      for (const f of findings) process.stdout.write(`${f.severity}: [${f.check}] ${f.message}\n`);
      const errors = findings.filter((f) => f.severity === "error").length;
      const warnings = findings.filter((f) => f.severity === "warning").length;
      process.stdout.write(`${errors} error(s), ${warnings} warning(s)${exitCode === 0 ? "" : ": see above"}\n`);
      process.exitCode = exitCode;
    });
}
