// git-crypt, driven the way Git drives it: through the filter commands git-crypt configured
// (`filter.git-crypt.smudge` decrypts stdin, `filter.git-crypt.clean` encrypts it). git-crypt
// finds its key with `git rev-parse --git-dir`, so the commands run in the repository; its
// nonce is an HMAC of the plaintext, so the same plaintext always gives the same ciphertext.

import { spawnSync } from "node:child_process";
import { exitedBeforeReadingInput } from "../io/childExit";
import { attributeOf } from "../git/attributes";
import { gitText } from "../git/run";
import { shellQuote } from "../git/shellQuote";

/** Every git-crypt blob starts with this header: "\0GITCRYPT\0", then a 12-byte nonce. */
export const GITCRYPT_HEADER = Buffer.from("\0GITCRYPT\0", "latin1");

export function isGitCryptCiphertext(data: Uint8Array): boolean {
  return data.length >= GITCRYPT_HEADER.length && Buffer.from(data.buffer, data.byteOffset, GITCRYPT_HEADER.length).equals(GITCRYPT_HEADER);
}

export interface CryptFilter {
  /** The filter driver's name: `git-crypt`, or `git-crypt-<key name>` for a named key. */
  name: string;
  smudge: string;
  clean: string;
}

/** Why the plaintext cannot be had: the repository is locked, or git-crypt failed. */
export class CryptUnavailable extends Error {}

const MAX_BUFFER = 2 ** 31 - 1;

/** The git-crypt filter the path's attributes give it (`filter=git-crypt[-NAME]`), or null for none. */
export function gitCryptFilterOf(cwd: string, path: string): string | null {
  const value = attributeOf({ top: cwd }, path, "filter");
  return value !== undefined && /^git-crypt(-[^\s]+)?$/.test(value) ? value : null;
}

/**
 * The configured smudge/clean commands. `git-crypt lock` (and a fresh clone that was never
 * unlocked) leaves no filter configuration, which is how a locked repository shows.
 */
export function cryptFilter(cwd: string, path: string | undefined, name = (path === undefined ? null : gitCryptFilterOf(cwd, path)) ?? "git-crypt"): CryptFilter {
  const smudge = gitText(cwd, ["config", "--get", `filter.${name}.smudge`])?.trim();
  const clean = gitText(cwd, ["config", "--get", `filter.${name}.clean`])?.trim();
  if (!smudge || !clean) {
    throw new CryptUnavailable(`the repository is locked (no filter.${name} configuration; run git-crypt unlock)`);
  }
  return { name, smudge, clean };
}

/** Runs a filter command through the shell as Git does (`%f` is the path, shell-quoted). */
function filter(command: string, input: Uint8Array, cwd: string, path: string): Buffer {
  const r = spawnSync("sh", ["-c", command.replace(/%f/g, shellQuote(path))], { cwd, input, maxBuffer: MAX_BUFFER, stdio: ["pipe", "pipe", "pipe"] });
  const exitedEarly = exitedBeforeReadingInput(r);
  if (r.error && !exitedEarly) throw new CryptUnavailable(`git-crypt could not run (${r.error.message})`);
  if (r.status !== 0) {
    const why = r.stderr.toString().split("\n").find((l) => l.trim() !== "") ?? `exit ${r.status}`;
    throw new CryptUnavailable(`git-crypt failed: ${why.replace(/^git-crypt: /, "")}`);
  }
  // Exiting 0 without reading it all is no filtering of the whole file.
  if (exitedEarly) throw new CryptUnavailable("git-crypt failed: it exited before reading all of the file");
  return r.stdout;
}

/** Ciphertext to plaintext; anything else is refused (git-crypt would pass it through). */
export function decrypt(f: CryptFilter, data: Uint8Array, cwd: string, path: string): Buffer {
  const plain = filter(f.smudge, data, cwd, path);
  if (isGitCryptCiphertext(plain)) throw new CryptUnavailable("git-crypt smudge returned ciphertext");
  return plain;
}

/** Plaintext to ciphertext; refuses to hand back anything that is not ciphertext. */
export function encrypt(f: CryptFilter, data: Uint8Array, cwd: string, path: string): Buffer {
  const cipher = filter(f.clean, data, cwd, path);
  if (!isGitCryptCiphertext(cipher)) throw new CryptUnavailable("git-crypt clean did not return ciphertext");
  return cipher;
}
