// `check` for a NixOps export: the shape nixops import needs (an object of deployments, each
// with a `resources` object of records that have a type, every attribute a string), then the
// layout nixops export prints. The shape is checked even when a key is written twice (the
// layout is not: `--fix` would drop a copy).

import { describeKind, isObject, type JsonObject, type JsonValue, type Path } from "../../core/values";
import { canonicalText, detectSeparators } from "../../formats/nixopsExport";
import { layoutProblems } from "./layoutProblems";
import { problem, type Problem } from "./problems";
import type { CheckedText, KindCheckResult } from "./kindCheck";

export function checkNixops(value: JsonValue, checked: CheckedText): KindCheckResult {
  const shape = shapeProblems(value, checked.at);
  if (shape.length > 0 || checked.duplicates) return { problems: shape, fixed: null };
  const separators = detectSeparators(checked.body) ?? "py3";
  const layout = layoutProblems(checked.text, value, separators);
  return { problems: layout, fixed: layout.some((p) => p.fixable) ? canonicalText(value, separators) : null };
}

/** Shape problems of a NixOps export, each at the key it concerns. */
function shapeProblems(value: JsonValue, at: (path: Path) => { line: number; column: number }): Problem[] {
  const out: Problem[] = [];
  const say = (path: Path, message: string) => {
    const { line, column } = at(path);
    out.push(problem(line, column, message));
  };
  if (!isObject(value)) {
    say([], `the document is ${describeKind(value) === "array" ? "an array" : `a ${describeKind(value)}`}; a NixOps export is an object of deployments keyed by UUID`);
    return out;
  }
  for (const [uuid, deployment] of value) {
    if (!isObject(deployment)) {
      say([uuid], `deployment ${uuid} is ${describeKind(deployment)}, not an object of attributes`);
      continue;
    }
    const name = typeof deployment.get("name") === "string" ? `deployment ${deployment.get("name") as string}` : `deployment ${uuid}`;
    leafProblems(deployment, [uuid], name, say);
    const resources = deployment.get("resources");
    if (resources === undefined) {
      say([uuid], `${name} has no "resources" object (nixops import fails with KeyError: 'resources')`);
      continue;
    }
    if (!isObject(resources)) {
      say([uuid, "resources"], `${name}: "resources" is ${describeKind(resources)}, not an object of resources`);
      continue;
    }
    for (const [rname, resource] of resources) {
      const where = `${name}, resource ${rname}`;
      if (!isObject(resource)) {
        say([uuid, "resources", rname], `${where} is ${describeKind(resource)}, not an object of attributes`);
        continue;
      }
      if (!resource.has("type")) say([uuid, "resources", rname], `${where} has no "type" (nixops import fails: "imported resource lacks a type")`);
      leafProblems(resource, [uuid, "resources", rname], where, say);
    }
  }
  return out;
}

function leafProblems(record: JsonObject, path: Path, where: string, say: (path: Path, message: string) => void): void {
  for (const [key, v] of record) {
    if (key === "resources" && path.length === 1) continue;
    if (typeof v === "string") continue;
    const hint = v === null ? "leave the attribute out" : "write it as a string, as nixops export does (\"3\", \"1\", JSON text for lists)";
    say([...path, key], `${where}, attribute ${key} is ${describeKind(v)}, not a string; ${hint}`);
  }
}

