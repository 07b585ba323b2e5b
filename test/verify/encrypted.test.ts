// `verify` on git-crypt encrypted state: it reads every version through Git's filters, so it
// compares plaintext (a ciphertext read would make every merge unverifiable), and prints no secret.

import { describe, expect, it } from "vitest";
import { State } from "../support/fixtures";
import { cli, secretsIn } from "../support/review";
import { HAS_GIT_CRYPT, STATE, blob, cryptRepo, isCiphertext } from "../support/cryptRepo";


const base = () => State.fixture("ec2-prod-5machines");

describe.skipIf(!HAS_GIT_CRYPT)("verify on git-crypt encrypted state", () => {
  it("passes the driver's merge and catches a merge that dropped a deploy, reading plaintext", () => {
    const repo = cryptRepo();
    repo.write(STATE, base().text()).commit("base");
    repo.git("checkout", "-q", "-b", "teammate");
    repo.write(STATE, base().set("prod", "db1", "toplevel", "/nix/store/bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb-nixos-system-db1").text()).commit("teammate deploys db1");
    repo.git("checkout", "-q", "main");
    repo.write(STATE, base().set("prod", "app1", "toplevel", "/nix/store/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa-nixos-system-app1").text()).commit("we deploy app1");
    repo.git("checkout", "-q", "-b", "good");
    repo.git("merge", "-q", "--no-edit", "teammate");
    expect(isCiphertext(blob(repo, `HEAD:${STATE}`))).toBe(true);
    const good = cli(repo, "verify");
    expect(good.stdout).toMatch(/1 pass, 0 fail, 0 unverifiable/);
    expect(good.status).toBe(0);

    repo.git("checkout", "-q", "main");
    repo.git("merge", "-q", "--no-edit", "-s", "ours", "teammate"); // keeps our file: db1's deploy is gone
    const bad = cli(repo, "verify", "HEAD^1..HEAD");
    expect(bad.status).toBe(1);
    expect(bad.stdout).toMatch(/resource db1, attribute toplevel: lost update: theirs changed it from "\/nix\/store\/[^"]+ to "\/nix\/store\/b+-nixos-system-db1"/);
    expect(secretsIn(bad.stdout + good.stdout)).toEqual([]);
  });
});
