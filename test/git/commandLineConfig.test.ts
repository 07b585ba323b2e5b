// `git -c key=value` reaches a driver as GIT_CONFIG_PARAMETERS (and GIT_CONFIG_COUNT with
// GIT_CONFIG_KEY_n/VALUE_n): the reader must find what the real git would. The environment is
// captured from git itself (an alias that prints it), and `git config --get` is the oracle.

import { describe, expect, it } from "vitest";
import { commandLineConfig, parseParameters } from "../../src/git/commandLineConfig";
import { conflictStyleOnCommandLine } from "../../src/git/gitConfig";
import { TempRepo } from "../support/gitRepo";

const KEY = "merge.conflictStyle";

/** GIT_CONFIG_PARAMETERS as git sets it for a child of `git <configs> <alias>`. */
function parametersFrom(repo: TempRepo, configs: string[]): string {
  const out = repo.git(...configs, "-c", "alias.show-parameters=!printf %s \"$GIT_CONFIG_PARAMETERS\"", "show-parameters");
  return out;
}

/** What `git config --get` says for the key with this environment (null: unset). */
function oracle(repo: TempRepo, env: Record<string, string>): string | null {
  const r = repo.tryGitWith(env, "config", "--get", KEY);
  return r.status === 0 ? r.stdout.replace(/\n$/, "") : null;
}

describe("the settings of `git -c` as a driver sees them", () => {
  const repo = TempRepo.create();

  it("reads each value as git wrote it: quotes, '!', blanks, '=' and any case of the key", () => {
    for (const value of ["diff3", "zdiff3", "it's", "a!b", "two words", "x=y", "", "'quoted'"]) {
      for (const key of [KEY, "MERGE.CONFLICTSTYLE"]) {
        const parameters = parametersFrom(repo, ["-c", "user.name=someone's", "-c", `${key}=${value}`, "-c", "other.key=1"]);
        expect(commandLineConfig(KEY, { GIT_CONFIG_PARAMETERS: parameters })).toBe(value);
        expect(oracle(repo, { GIT_CONFIG_PARAMETERS: parameters })).toBe(value);
      }
    }
  });

  it("takes the last value given, and GIT_CONFIG_PARAMETERS over GIT_CONFIG_COUNT, as git does", () => {
    const parameters = parametersFrom(repo, ["-c", `${KEY}=diff3`, "-c", `${KEY}=zdiff3`]);
    const counted = { GIT_CONFIG_COUNT: "2", GIT_CONFIG_KEY_0: KEY, GIT_CONFIG_VALUE_0: "merge", GIT_CONFIG_KEY_1: "Merge.ConflictStyle", GIT_CONFIG_VALUE_1: "diff3" };
    for (const env of [{ GIT_CONFIG_PARAMETERS: parameters }, counted, { ...counted, GIT_CONFIG_PARAMETERS: parameters }]) {
      expect(commandLineConfig(KEY, env)).toBe(oracle(repo, env));
    }
    expect(commandLineConfig(KEY, counted)).toBe("diff3");
    expect(commandLineConfig(KEY, {})).toBeUndefined();
  });

  it("reads the older one-word form, and takes nothing from text that is not git's quoting", () => {
    expect(parseParameters("'merge.conflictStyle=diff3' 'core.bare'")).toEqual([
      ["merge.conflictStyle", "diff3"],
      ["core.bare", "true"],
    ]);
    for (const broken of ["merge.conflictStyle=diff3", "'merge.conflictStyle'='diff3", "'a'='b'x", "'a'=b"]) {
      expect(parseParameters(broken)).toBeNull();
      expect(commandLineConfig(KEY, { GIT_CONFIG_PARAMETERS: broken })).toBeUndefined();
    }
  });

  it("gives the driver a conflict style only when the value is one git knows", () => {
    expect(conflictStyleOnCommandLine({ GIT_CONFIG_PARAMETERS: parametersFrom(repo, ["-c", `${KEY}=zdiff3`]) })).toBe("zdiff3");
    expect(conflictStyleOnCommandLine({ GIT_CONFIG_PARAMETERS: parametersFrom(repo, ["-c", `${KEY}=Diff3`]) })).toBeUndefined();
    expect(conflictStyleOnCommandLine({})).toBeUndefined();
  });
});
