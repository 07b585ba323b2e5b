import { describe, expect, it } from "vitest";
import { existsSync, mkdtempSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { execFileSync } from "node:child_process";
import { State } from "../support/fixtures";
import { mergeEncrypted } from "../../src/driver/encryptedMerge";
import { GITCRYPT_HEADER } from "../../src/crypt/gitCrypt";
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

describe("a locked repository with ciphertext on one side only", () => {
  it("says it keeps ours as it is when ours is plaintext (a branch from before git-crypt), not 'still encrypted'", () => {
    const dir = mkdtempSync(join(tmpdir(), "statefile-merge-locked-"));
    execFileSync("git", ["init", "-q", dir]);
    const plain = Buffer.from(State.fixture("vbox-none-2machines").text());
    const cipher = Buffer.concat([GITCRYPT_HEADER, Buffer.from("0123456789ab\x00\x01")]);
    for (const [f, data] of [["o", plain], ["a", plain], ["b", cipher]] as const) writeFileSync(join(dir, f), data);
    const lines: string[] = [];
    const status = mergeEncrypted(
      { base: join(dir, "o"), ours: join(dir, "a"), theirs: join(dir, "b"), path: STATE },
      { base: plain, ours: plain, theirs: cipher },
      { stderr: (l) => lines.push(l), stdout: () => expect.unreachable("nothing on stdout") },
      () => expect.unreachable("no plaintext merge while locked"),
    );
    expect(status).toBe(1);
    expect(lines.join("\n")).toContain(`${STATE}: keeping ours as it is and marking a conflict`);
    expect(lines.join("\n")).not.toContain("still encrypted");
    expect(readFileSync(join(dir, "a")).equals(plain)).toBe(true);
  });
});
