// Reads the commands out of examples/ci (the GitHub Actions workflow and the GitLab CI jobs)
// so that tests run exactly what a team copies. A reader for the shapes those two files use
// (steps with `if`, `env` and a one-line `run`; jobs with `rules: - if` and a `script` list),
// not YAML in general: a change of shape there fails here loudly rather than being skipped.

import { readFileSync } from "node:fs";
import { join } from "node:path";
import { REPO_ROOT } from "./fixtures";

export const CI_EXAMPLES = join(REPO_ROOT, "examples", "ci");

export interface CiCommand {
  /** The step's or job's condition, as written (`github.event_name == 'push'`, `$CI_... == "..."`). */
  condition: string | null;
  env: Record<string, string>;
  command: string;
}

const indentOf = (line: string) => line.length - line.trimStart().length;
const unquote = (s: string) => s.trim().replace(/^(["'])(.*)\1$/, "$2");
/** A value without its trailing `# comment`. */
const value = (s: string) => unquote(s.replace(/\s+#.*$/, ""));

/** Every `run:` of the workflow's steps, with the step's `if:` and `env:`. */
export function githubRunSteps(file = join(CI_EXAMPLES, "github-actions.yml")): CiCommand[] {
  const lines = readFileSync(file, "utf8").split("\n");
  const steps: CiCommand[] = [];
  let step: { condition: string | null; env: Record<string, string>; command: string | null; indent: number } | null = null;
  let inEnv = -1;
  const flush = () => {
    if (step?.command) steps.push({ condition: step.condition, env: step.env, command: step.command });
  };
  for (const line of lines) {
    const trimmed = line.trim();
    if (trimmed === "" || trimmed.startsWith("#")) continue;
    const indent = indentOf(line);
    if (trimmed.startsWith("- ") && (step === null || indent <= step.indent)) {
      flush();
      step = { condition: null, env: {}, command: null, indent };
      inEnv = -1;
    }
    if (step === null) continue;
    const body = trimmed.replace(/^- /, "");
    if (inEnv >= 0 && indent > inEnv) {
      const [k, ...rest] = body.split(":");
      step.env[k.trim()] = value(rest.join(":"));
      continue;
    }
    inEnv = -1;
    if (body.startsWith("if:")) step.condition = value(body.slice(3));
    else if (body === "env:") inEnv = indent;
    else if (body.startsWith("run:")) {
      if (/^run:\s*[|>]/.test(body)) throw new Error(`${file}: multi-line run blocks are not read by this test`);
      step.command = body.slice(4).trim();
    }
  }
  flush();
  return steps;
}

/** Every `script:` line of the GitLab jobs (jobs starting with "."), with the job's rule. */
export function gitlabJobScripts(file = join(CI_EXAMPLES, "gitlab-ci.yml")): CiCommand[] {
  const lines = readFileSync(file, "utf8").split("\n");
  const commands: CiCommand[] = [];
  let job: string | null = null;
  let condition: string | null = null;
  let list: "script" | "before_script" | null = null;
  for (const line of lines) {
    const trimmed = line.trim();
    if (trimmed === "" || trimmed.startsWith("#")) continue;
    if (indentOf(line) === 0) {
      job = trimmed.replace(/:$/, "");
      condition = null;
      list = null;
      continue;
    }
    if (trimmed.startsWith("- if:")) condition = value(trimmed.slice(5));
    else if (trimmed === "script:" || trimmed === "before_script:") list = trimmed.slice(0, -1) as "script" | "before_script";
    else if (/^[a-z_]+:/.test(trimmed)) list = null;
    else if (list && trimmed.startsWith("- ")) commands.push({ condition: job?.startsWith(".") ? "template" : condition, env: {}, command: trimmed.slice(2) });
  }
  return commands;
}

/** `${{ github.x }}` expressions replaced from a context of values. */
export function githubExpressions(text: string, context: Record<string, string>): string {
  return text.replace(/\$\{\{\s*([^}]+?)\s*\}\}/g, (_, expr: string) => {
    if (!(expr in context)) throw new Error(`no value for \${{ ${expr} }} in the test's GitHub context`);
    return context[expr];
  });
}

/** A condition of the form `A == B`, where each side is a quoted text, a `$VAR`, or `github.x`. */
export function conditionHolds(condition: string, values: Record<string, string>): boolean {
  const m = /^(.+?)\s*==\s*(.+)$/.exec(condition);
  if (!m) throw new Error(`cannot read the condition ${JSON.stringify(condition)}`);
  const side = (s: string) => {
    const t = s.trim();
    if (/^(["']).*\1$/.test(t)) return unquote(t);
    const name = t.replace(/^\$/, "");
    if (!(name in values)) throw new Error(`no value for ${t} in the test's CI context`);
    return values[name];
  };
  return side(m[1]) === side(m[2]);
}
