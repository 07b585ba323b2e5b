// A temporary repository whose NixOps state is encrypted by the real git-crypt, with a key
// generated for the test, and the statefile merge driver configured for the same pattern.

import { execFileSync } from "node:child_process";
import { join } from "node:path";
import { TempRepo } from "./gitRepo";
import { requireTool } from "./requireTool";
import { GITCRYPT_HEADER } from "../../src/crypt/gitCrypt";

export const STATE = "prod.nixops.json";

/** Whether these tests can run: git-crypt is installed (skipped with a note outside CI if not). */
export const HAS_GIT_CRYPT = requireTool("git-crypt", "apt-get install git-crypt");

export function cryptRepo(keyName?: string): TempRepo {
  const repo = TempRepo.create().configureDriver("*.nixops.json");
  gitCrypt(repo, "init", ...(keyName ? ["-k", keyName] : []));
  const filter = keyName ? `git-crypt-${keyName}` : "git-crypt";
  repo.write(".gitattributes", `*.nixops.json filter=${filter} diff=${filter} merge=statefile\n`);
  return repo;
}

export function gitCrypt(repo: TempRepo, ...args: string[]): string {
  return execFileSync("git-crypt", args, { cwd: repo.dir, env: repo.env, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
}

/** A blob as Git stores it (`HEAD:path`, `:2:path`, ...), bytes untouched. */
export function blob(repo: TempRepo, spec: string): Buffer {
  return execFileSync("git", ["cat-file", "blob", spec], { cwd: repo.dir, env: repo.env, maxBuffer: 1 << 30 });
}

export function isCiphertext(data: Buffer): boolean {
  return data.subarray(0, GITCRYPT_HEADER.length).equals(GITCRYPT_HEADER);
}

/** Every blob in the object database, loose or packed, reachable or not. */
export function allBlobs(repo: TempRepo): Buffer[] {
  const ids = repo
    .git("cat-file", "--batch-all-objects", "--batch-check=%(objectname) %(objecttype)")
    .split("\n")
    .filter((l) => l.endsWith(" blob"))
    .map((l) => l.split(" ")[0]);
  return ids.map((id) => blob(repo, id));
}

/** Decrypts a blob with git-crypt itself, independently of the driver under test. */
export function smudge(repo: TempRepo, data: Buffer, keyName?: string): string {
  const args = ["smudge", ...(keyName ? [`--key-name=${keyName}`] : [])];
  return execFileSync("git-crypt", args, { cwd: repo.dir, env: repo.env, input: data }).toString("utf8");
}

export function keyFile(repo: TempRepo): string {
  return join(repo.dir, "..", "exported.key");
}
