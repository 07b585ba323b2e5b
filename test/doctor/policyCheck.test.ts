// `doctor` reports every mistake of the policy file, from any directory of the repository.

import { mkdirSync, rmSync, symlinkSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { doctorContext, runDoctor } from "../../src/doctor/doctor";
import { EXTRA_DOCTOR_CHECKS } from "../../src/doctor/doctorExtraChecks";
import { policyFileCheck } from "../../src/doctor/policyCheck";
import { TempRepo } from "../support/gitRepo";
import { fileViewFor } from "../../src/view/fileView";

describe("doctor checks the policy file", () => {
  it("is one of doctor's checks", () => {
    expect(EXTRA_DOCTOR_CHECKS).toContain(policyFileCheck);
  });

  it("reports each mistake as an error naming the file and line, and fails", () => {
    const repo = TempRepo.create();
    repo.write(".statefile-merge.json", '{\n  "files": {\n    "tenants.json": {\n      "profile": "nix",\n      "keyedArrays": { "/tenants": "" }\n    }\n  }\n}\n');
    mkdirSync(join(repo.dir, "deploy"));
    const { findings, exitCode } = runDoctor(doctorContext(join(repo.dir, "deploy")), {}, [policyFileCheck]);
    expect(exitCode).toBe(1);
    expect(findings.map((f) => [f.severity, f.message.split(": ")[0]])).toEqual([
      ["error", ".statefile-merge.json:4"],
      ["error", ".statefile-merge.json:5"],
    ]);
  });

  it("says a valid file is valid, and says nothing without one", () => {
    const repo = TempRepo.create();
    expect(runDoctor(doctorContext(repo.dir), {}, [policyFileCheck]).findings).toEqual([]);
    repo.write(".statefile-merge.json", JSON.stringify({ files: { "tenants.json": { keyedArrays: { "/tenants": "id" } } } }));
    const { findings, exitCode } = runDoctor(doctorContext(repo.dir), {}, [policyFileCheck]);
    expect(exitCode).toBe(0);
    expect(findings).toEqual([{ severity: "ok", check: "policy-file", message: ".statefile-merge.json is valid (1 file entry)" }]);
  });

  it("reports a policy file that is a symbolic link to nothing, and merges no file by a policy it cannot read", () => {
    const repo = TempRepo.create();
    symlinkSync("policies/statefile-merge.json", join(repo.dir, ".statefile-merge.json"));
    const { findings, exitCode } = runDoctor(doctorContext(repo.dir), {}, [policyFileCheck]);
    expect(exitCode).toBe(1);
    expect(findings.map((f) => [f.severity, f.message])).toEqual([
      ["error", '.statefile-merge.json:1: is a symbolic link to "policies/statefile-merge.json", which leads to no file; fix the link or remove it'],
    ]);
    // The driver then merges the file line by line, with this reason.
    expect(fileViewFor(repo.dir, join(repo.dir, "tenants.json")).problem).toMatch(/^the policy file is not usable: .*symbolic link to "policies\/statefile-merge.json", which leads to no file/);
    // A loop of links, and a chain that ends nowhere, are said so too (not a permissions problem).
    symlinkSync(".statefile-merge.json", join(repo.dir, "loop.json"));
    rmSync(join(repo.dir, ".statefile-merge.json"));
    symlinkSync("loop.json", join(repo.dir, ".statefile-merge.json"));
    expect(runDoctor(doctorContext(repo.dir), {}, [policyFileCheck]).findings[0].message).toBe('.statefile-merge.json:1: is a symbolic link to "loop.json", which leads to no file (its links form a loop); fix the link or remove it');
  });
});
