// The git-crypt filters as the driver and the wrapper run them: a filter that fails before it
// has read the whole file is reported by git-crypt's own message.

import { renameSync } from "node:fs";
import { join } from "node:path";
import { execFileSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { State } from "../support/fixtures";
import { CryptUnavailable, cryptFilter, decrypt, encrypt } from "../../src/crypt/gitCrypt";
import { HAS_GIT_CRYPT, STATE, cryptRepo } from "../support/cryptRepo";

describe.skipIf(!HAS_GIT_CRYPT)("git-crypt filters", () => {
  it("a key that cannot be opened is git-crypt's own message, for a file larger than a pipe holds", () => {
    const repo = cryptRepo();
    // About 300 KB: git-crypt stops reading after the header, long before the end.
    const text = State.fixture("ec2-prod-5machines").text().repeat(20);
    const cipher = execFileSync("git-crypt", ["clean"], { cwd: repo.dir, env: repo.env, input: text, maxBuffer: 1 << 26 });
    const filter = cryptFilter(repo.dir, STATE);
    expect(decrypt(filter, cipher, repo.dir, STATE).toString("utf8")).toBe(text);
    renameSync(join(repo.dir, ".git", "git-crypt", "keys", "default"), join(repo.dir, "..", "moved-key"));
    for (const run of [() => decrypt(filter, cipher, repo.dir, STATE), () => encrypt(filter, Buffer.from(text), repo.dir, STATE)]) {
      expect(run).toThrow(CryptUnavailable);
      expect(run).toThrow(/^git-crypt failed: Error: Unable to open key file/);
    }
  });

  it("a smudge filter that exits 0 without reading the file gives no plaintext, it fails", () => {
    const repo = cryptRepo();
    const text = State.fixture("ec2-prod-5machines").text().repeat(20);
    const cipher = execFileSync("git-crypt", ["clean"], { cwd: repo.dir, env: repo.env, input: text, maxBuffer: 1 << 26 });
    // A filter configured to something that ignores its input (its output, empty, is not ciphertext).
    repo.git("config", "filter.git-crypt.smudge", "true");
    expect(() => decrypt(cryptFilter(repo.dir, STATE), cipher, repo.dir, STATE)).toThrow(/^git-crypt failed: it exited before reading all of the file$/);
  });
});
