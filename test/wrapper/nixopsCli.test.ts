import { describe, expect, it } from "vitest";
import { describeCommand, withStatefile } from "../../src/wrapper/nixopsCli";

const v1 = { executable: "nixops", major: 1, version: "1.7" };
const v2 = { executable: "nixops", major: 2, version: "2.0.0" };

describe("nixops command lines", () => {
  it("adds -s after the subcommand for 1.x only", () => {
    expect(withStatefile(v1, ["--pdb", "deploy", "-d", "x"], "/t/s")).toEqual(["--pdb", "deploy", "-s", "/t/s", "-d", "x"]);
    expect(withStatefile(v2, ["deploy", "-d", "x"], "/t/s")).toEqual(["deploy", "-d", "x"]);
    expect(withStatefile(v1, ["--help"], "/t/s")).toEqual(["--help"]);
  });

  it("refuses a statefile option of the user's own", () => {
    for (const a of ["-s", "--state", "--state=/x"]) expect(() => withStatefile(v2, ["deploy", a], "/t/s")).toThrow(/do not pass/);
  });

  it("describes the command with argument values hidden and odd words quoted", () => {
    expect(describeCommand(["set-args", "--arg", "n", "3", "--argstr", "pw", "p w", "-d", "it's"])).toBe(
      "nixops set-args --arg n <hidden> --argstr pw <hidden> -d 'it'\\''s'",
    );
    // argparse takes any unique prefix of --argstr for it.
    for (const option of ["--args", "--argst"]) expect(describeCommand(["set-args", option, "pw", "hunter2"])).toBe(`nixops set-args ${option} pw <hidden>`);
    expect(describeCommand(["deploy", "--argue", "x"])).toBe("nixops deploy --argue x");
  });
});
