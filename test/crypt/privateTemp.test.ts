import { describe, expect, it } from "vitest";
import { existsSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { execFileSync } from "node:child_process";
import { State } from "../support/fixtures";
import { mergeEncrypted } from "../../src/driver/encryptedMerge";
import type { DriverOptions } from "../../src/driver/runMergeDriver";
import { HAS_GIT_CRYPT, STATE, cryptRepo, isCiphertext, smudge } from "../support/cryptRepo";

describe.skipIf(!HAS_GIT_CRYPT)("decrypted inputs", () => {
  it("exist only in a private temporary directory while the merge runs, and are removed after", () => {
    const repo = cryptRepo();
    const text = State.fixture("vbox-none-2machines").text();
    const cipher = execFileSync("git-crypt", ["clean"], { cwd: repo.dir, env: repo.env, input: text });
    for (const f of ["o", "a", "b"]) writeFileSync(join(repo.dir, f), cipher);
    const seen: { dir: number; files: number[]; plain: boolean[]; dirName: string }[] = [];
    const lines: string[] = [];
    const status = mergeEncrypted(
      { base: join(repo.dir, "o"), ours: join(repo.dir, "a"), theirs: join(repo.dir, "b"), path: STATE },
      { base: cipher, ours: cipher, theirs: cipher },
      { stderr: (l) => lines.push(l), stdout: () => expect.unreachable("nothing on stdout") },
      (inner: DriverOptions) => {
        const files = [inner.base, inner.ours, inner.theirs];
        seen.push({
          dirName: dirname(inner.ours),
          dir: statSync(dirname(inner.ours)).mode & 0o777,
          files: files.map((f) => statSync(f).mode & 0o777),
          plain: files.map((f) => readFileSync(f, "utf8") === text),
        });
        writeFileSync(inner.output as string, readFileSync(inner.ours));
        return 0;
      },
    );
    expect(status).toBe(0);
    expect(seen).toHaveLength(1);
    expect(seen[0]).toMatchObject({ dir: 0o700, files: [0o600, 0o600, 0o600], plain: [true, true, true] });
    expect(existsSync(seen[0].dirName)).toBe(false);
    const result = readFileSync(join(repo.dir, "a"));
    expect(isCiphertext(result)).toBe(true);
    expect(result.equals(cipher)).toBe(true); // git-crypt's nonce is derived from the plaintext
    expect(smudge(repo, result)).toBe(text);
  });
});
