// Helpers for the after-the-merge tests: run the built CLI in a temp repository, and collect
// every secret value of the fixtures (found here independently of src/'s secret rules).

import { spawnSync } from "node:child_process";
import { BIN, FIXTURES, fixtureText } from "./fixtures";
import { isolatedGitEnv, type TempRepo } from "./gitRepo";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export interface CliResult {
  status: number;
  stdout: string;
  stderr: string;
}

let outsideHome: string | null = null;

/** The built CLI in the repository; with no repository, in the current directory with a fresh home (none of the user's Git config). */
export function cli(repo: TempRepo | null, ...args: string[]): CliResult {
  outsideHome ??= mkdtempSync(join(tmpdir(), "statefile-merge-home-"));
  const r = spawnSync("node", [BIN, ...args], { cwd: repo?.dir, env: repo?.env ?? isolatedGitEnv(outsideHome), encoding: "utf8" });
  return { status: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

const SECRET_KEY = /privatekey|privatehostkey|token|password|passwd|passphrase|secret|robotpass/i;

/** Every secret value written in the fixtures: by key name, keys.<name>.text, PEM blocks. */
export function fixtureSecrets(): string[] {
  const found = new Set<string>();
  const walk = (v: unknown, path: string[]) => {
    if (typeof v === "string") {
      const last = path[path.length - 1] ?? "";
      if (SECRET_KEY.test(last) || (path[path.length - 3] === "keys" && last === "text") || v.includes("-----BEGIN")) found.add(v);
      if (/^[[{]/.test(v)) {
        try {
          walk(JSON.parse(v), path);
        } catch {
          // plain text
        }
      }
      return;
    }
    if (v && typeof v === "object") for (const [k, x] of Object.entries(v)) walk(x, [...path, k]);
  };
  for (const name of FIXTURES) walk(JSON.parse(fixtureText(name)), []);
  // Long enough to be meaningful in a search; and every line of a multi-line key.
  return [...found].filter((s) => s.length >= 6);
}

/** Fails naming the secret when any fixture secret appears in the text. */
export function secretsIn(text: string): string[] {
  return fixtureSecrets().filter((s) => text.includes(s) || s.split("\n").some((line) => line.length > 20 && text.includes(line)));
}

/** The driver configured by hand (as `install` would), writing its --report-json beside the repo. */
export function configureDriverWithReport(repo: TempRepo, reportFile: string, pattern = "*.nixops.json"): void {
  repo.git("config", "merge.statefile.name", "statefile-merge");
  repo.git("config", "merge.statefile.driver", `node '${BIN}' merge %O %A %B -p %P -l %L -s %S -x %X -y %Y --report-json '${reportFile}'`);
  repo.write(".gitattributes", `${pattern} merge=statefile\n`);
}

export const STATE_FILE = "deploy/prod.nixops.json";
