// The real `terraform` binary as an oracle, when it is on the machine: `terraform state push`
// into a directory of its own (a local backend: it writes terraform.tfstate with Go's
// encoder, and refuses a lineage or serial it would not accept).

import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const ENV = { ...process.env, CHECKPOINT_DISABLE: "1", TF_IN_AUTOMATION: "1", TF_CLI_CONFIG_FILE: "/dev/null" };

export const hasTerraform = spawnSync("terraform", ["version"], { encoding: "utf8", env: ENV }).status === 0;
export const NO_TERRAFORM = "terraform is not installed: the oracle tests that run `terraform state push` are skipped";

export interface PushResult {
  status: number;
  stderr: string;
}

/** A directory whose local state is empty until something is pushed into it. */
export function terraformDir(): string {
  return mkdtempSync(join(tmpdir(), "statefile-merge-terraform-"));
}

/** `terraform state push` of this text into `dir`. */
export function push(dir: string, text: string, name = "push.tfstate"): PushResult {
  writeFileSync(join(dir, name), text);
  const r = spawnSync("terraform", ["state", "push", "-no-color", name], { cwd: dir, encoding: "utf8", env: ENV, timeout: 120_000 });
  return { status: r.status ?? -1, stderr: r.stderr };
}

/** What Terraform wrote after the pushes. */
export function writtenState(dir: string): string {
  return readFileSync(join(dir, "terraform.tfstate"), "utf8");
}
