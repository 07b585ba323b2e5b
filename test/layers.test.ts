// The lint rule that keeps src/ layered: a folder may import from the folders below it only.
// Checked on made-up files through ESLint itself, so a rule that stopped matching fails here.

import { describe, expect, it } from "vitest";
import { ESLint } from "eslint";

const eslint = new ESLint({ cwd: process.cwd() });

async function restricted(file: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: file });
  return result.messages.filter((m) => m.ruleId === "no-restricted-imports").map((m) => m.message);
}

describe("imports point downward only", () => {
  it("the core may not import a command, the view or the pipeline", async () => {
    expect(await restricted("src/core/probe.ts", 'import { x } from "../commands/check";\nexport const y = x;\n')).toHaveLength(1);
    expect(await restricted("src/core/probe.ts", 'import { x } from "../view/fileView";\nexport const y = x;\n')).toHaveLength(1);
    expect(await restricted("src/core/probe.ts", 'import { x } from "../pipeline/mergeTexts";\nexport const y = x;\n')).toHaveLength(1);
  });

  it("a nested folder is held to its layer too (review/check may not import resolve)", async () => {
    expect(await restricted("src/review/check/probe.ts", 'import { x } from "../../resolve/resolveFile";\nexport const y = x;\n')).toHaveLength(1);
  });

  it("the policy file reader may not reach up into Git's doctor", async () => {
    expect(await restricted("src/policy/probe.ts", 'import { x } from "../doctor/doctor";\nexport const y = x;\n')).toHaveLength(1);
  });

  it("importing downward is allowed", async () => {
    expect(await restricted("src/commands/probe.ts", 'import { x } from "../view/fileView";\nexport const y = x;\n')).toEqual([]);
    expect(await restricted("src/view/probe.ts", 'import { x } from "../profiles/table";\nexport const y = x;\n')).toEqual([]);
  });
});
