// Merging git-crypt encrypted state. Git hands a merge driver the blobs as stored (ciphertext
// here) and stores whatever the driver writes as the new blob, without the clean filter, then
// smudges it into the work tree. So: decrypt the inputs, merge the plaintext in a private
// temporary directory, and encrypt the result again. Plaintext never reaches a file Git reads.

import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { writeFileAtomic } from "../io/atomicWrite";
import type { DriverIo, DriverOptions } from "./runMergeDriver";
import { CryptUnavailable, cryptFilter, decrypt, encrypt, isGitCryptCiphertext, type CryptFilter } from "../crypt/gitCrypt";
import type { DriverInputs } from "./readInputs";
import { ResultNotWritten, stopMerge } from "./resultNotWritten";

type Runner = (options: DriverOptions, io: DriverIo) => number;

/** True when the driver must go through git-crypt: ours or theirs (or the base) is ciphertext. */
export function isEncryptedMerge(inputs: DriverInputs): boolean {
  return isGitCryptCiphertext(inputs.base) || isGitCryptCiphertext(inputs.ours) || isGitCryptCiphertext(inputs.theirs);
}

export function mergeEncrypted(options: DriverOptions, inputs: DriverInputs, io: DriverIo, runPlain: Runner): number {
  try {
    return mergeDecrypting(options, inputs, io, runPlain);
  } catch (e) {
    // Whichever write failed (the merge's, or ours kept): the merge stops, ours as it was.
    if (!(e instanceof ResultNotWritten)) throw e;
    return stopMerge((line) => io.stderr(line), options.path ?? options.ours, e.target, e.failure);
  }
}

function mergeDecrypting(options: DriverOptions, inputs: DriverInputs, io: DriverIo, runPlain: Runner): number {
  // The file's name in messages, and the %f git-crypt's filters get.
  const path = options.path ?? options.ours;
  // Git runs drivers at the top of the work tree, where %A lives; git-crypt needs a repository cwd.
  const cwd = dirname(resolve(options.ours));
  const emit = (data: Uint8Array) => {
    const target = options.output ?? options.ours;
    try {
      if (options.output === "-") io.stdout(data);
      else writeFileAtomic(target, data);
    } catch (e) {
      throw new ResultNotWritten(target, e as Error);
    }
  };

  let crypt: CryptFilter;
  const plain: Partial<DriverInputs> = {};
  try {
    crypt = cryptFilter(cwd, options.path);
    for (const side of ["base", "ours", "theirs"] as const) {
      const data = inputs[side];
      plain[side] = isGitCryptCiphertext(data) ? decrypt(crypt, data, cwd, path) : data;
    }
  } catch (e) {
    const why = e instanceof CryptUnavailable ? e.message : `internal error: ${(e as Error).message}`;
    return keepOurs(options, inputs, io, emit, `the state is encrypted with git-crypt and cannot be decrypted: ${why}`);
  }

  let dir: string | undefined;
  try {
    dir = mkdtempSync(join(tmpdir(), "statefile-merge-crypt-")); // mode 0700
    const file = (side: string) => join(dir as string, side);
    for (const side of ["base", "ours", "theirs"] as const) writeFileSync(file(side), plain[side] as Buffer, { mode: 0o600, flag: "wx" });
    const status = runPlain({ ...options, base: file("base"), ours: file("ours"), theirs: file("theirs"), output: file("result"), path }, io);
    emit(encrypt(crypt, readFileSync(file("result")), cwd, path));
    io.stderr(`statefile-merge: ${path}: merged the git-crypt plaintext; the result is stored encrypted`);
    return status;
  } catch (e) {
    if (e instanceof ResultNotWritten) throw e;
    // Never fall back to a plaintext result: ours stays, still encrypted, with a conflict.
    const why = e instanceof CryptUnavailable ? e.message : `internal error: ${(e as Error).message}`;
    return keepOurs(options, inputs, io, emit, `the merged state could not be encrypted again: ${why}`);
  } finally {
    if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * Locked (or git-crypt failing): the result must stay ciphertext, so keep ours as it is and
 * report a conflict; the virtual base of a criss-cross merge takes the base, as Git's binary driver.
 */
function keepOurs(options: DriverOptions, inputs: DriverInputs, io: DriverIo, emit: (d: Uint8Array) => void, reason: string): number {
  const name = options.path ?? options.ours;
  if (options.virtualBase) {
    emit(inputs.base.length > 0 ? inputs.base : inputs.ours);
    return 0;
  }
  io.stderr(`statefile-merge: ${name}: ${reason}`);
  const ours = isGitCryptCiphertext(inputs.ours) ? "ours (still encrypted)" : "ours as it is";
  io.stderr(`statefile-merge: ${name}: keeping ${ours} and marking a conflict; to merge it, abort (git merge --abort or git rebase --abort), run git-crypt unlock, and merge again`);
  if (options.output !== undefined) emit(inputs.ours);
  return 1;
}
