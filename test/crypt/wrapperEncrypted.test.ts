import { describe, expect, it } from "vitest";
import { State } from "../support/fixtures";
import { WrapperRepo } from "../support/wrapperRun";
import { HAS_GIT_CRYPT, STATE, blob, cryptRepo, isCiphertext, smudge } from "../support/cryptRepo";

describe.skipIf(!HAS_GIT_CRYPT)("the nixops wrapper on git-crypt encrypted state", () => {
  it("reads the unlocked plaintext and commits ciphertext", () => {
    const repo = cryptRepo();
    repo.write(STATE, State.fixture("vbox-none-2machines").text()).commit("state");
    const w = new WrapperRepo(repo);
    const r = w.run(["deploy", "-d", "dev"], ["--commit"]);
    expect(r.status, r.stderr).toBe(0);
    const stored = blob(repo, `HEAD:${STATE}`);
    expect(isCiphertext(stored)).toBe(true);
    expect(smudge(repo, stored)).toBe(w.state());
    expect(JSON.parse(w.state())[State.fixture("vbox-none-2machines").uuid("dev")].configsPath).toMatch(/-nixops-machines$/);
  });
});
