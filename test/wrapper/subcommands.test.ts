import { describe, expect, it } from "vitest";
import { changesState, subcommandOf } from "../../src/wrapper/subcommands";

describe("which nixops runs change state (and so take the deploy lock and check the branch)", () => {
  it("reading commands do not", () => {
    for (const sub of ["list", "info", "export", "show-option", "show-physical", "ssh", "ssh-for-each", "scp", "dump-nix-paths"]) {
      expect(changesState([sub, "-d", "prod"]), sub).toBe(false);
    }
    expect(changesState(["--help"])).toBe(false);
    expect(changesState(["deploy", "--help"])).toBe(false);
  });

  it("deploy, create, destroy, check (it records what it finds) and anything unknown do", () => {
    for (const sub of ["deploy", "create", "modify", "destroy", "delete", "start", "stop", "reboot", "set-args", "check", "rollback", "send-keys", "import", "some-new-command"]) {
      expect(changesState(["--debug", sub]), sub).toBe(true);
    }
  });

  it("the subcommand is the first word that is not an option", () => {
    expect(subcommandOf(["--pdb", "deploy", "-d", "x"])).toBe("deploy");
  });
});
