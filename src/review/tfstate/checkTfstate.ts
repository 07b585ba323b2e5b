// `check` for a Terraform state: a version 4 state must be in the layout Terraform writes
// (what `fmt` rewrites it to, the merge's own output), and must have what `state push` needs.
// Pure: the parsed value and text in, problems and the canonical text out.

import type { JsonObject } from "../../core/values";
import { lineAndColumn } from "../../formats/parseJson";
import { serialOf, tfstateKind } from "../../formats/tfstate/detect";
import { tfstateStyle, writeTfstate } from "../../formats/tfstate/tfstateCodec";
import { problem, type Problem } from "../check/problems";

export interface TfstateCheck {
  problems: Problem[];
  /** The state as Terraform writes it, when layout is the only problem. */
  fixed: string | null;
}

export function checkTfstate(value: JsonObject, body: string): TfstateCheck {
  const kind = tfstateKind(value);
  if (kind?.kind === "encrypted") return { problems: [], fixed: null };
  if (kind?.kind !== "v4") {
    const version = kind?.kind === "other-version" ? kind.version : "?";
    // Version 4 with "resources" not a list: a hand edit, not an old Terraform.
    if (version === "4") return { problems: [problem(1, 1, `a version 4 Terraform state whose "resources" is not a list; terraform writes "resources": [...], restore it from Git`)], fixed: null };
    return { problems: [problem(1, 1, `a version ${version} Terraform state: the merge handles version 4 only; run terraform or tofu once to upgrade it`)], fixed: null };
  }
  const problems: Problem[] = [];
  if (serialOf(value) === null) problems.push(problem(1, 1, `"serial" is not a whole number; terraform state push refuses it`));
  if (problems.length > 0) return { problems, fixed: null };
  const canonical = writeTfstate(value, tfstateStyle([body], [value], typeof value.get("terraform_version") === "string" ? (value.get("terraform_version") as string) : null));
  if (canonical === body) return { problems, fixed: null };
  let at = 0;
  while (at < body.length && body[at] === canonical[at]) at++;
  const { line, column } = lineAndColumn(body, at);
  problems.push(problem(line, column, "not in the layout Terraform writes (order, indentation or escaping)", true));
  return { problems, fixed: canonical };
}
