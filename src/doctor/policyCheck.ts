// `doctor`'s check of the policy file: each mistake is an error finding of one line naming the
// file and line (the driver refuses a policy file with any mistake, so each one matters).

import type { DoctorCheck, Finding } from "./doctor";
import { readPolicyFile } from "../policy/policyFile";
import { formatProblem, POLICY_FILE_NAME } from "../policy/policyTypes";

export const policyFileCheck: DoctorCheck = (ctx) => {
  const read = readPolicyFile(ctx.top);
  if (read === null) return [];
  if (read.problems.length === 0) {
    const n = read.policy.entries.length;
    return [{ severity: "ok", check: "policy-file", message: `${POLICY_FILE_NAME} is valid (${n} file entr${n === 1 ? "y" : "ies"})` }];
  }
  return read.problems.map((p): Finding => ({ severity: "error", check: "policy-file", message: formatProblem(p) }));
};
