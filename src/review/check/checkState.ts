// Everything `statefile-merge check` looks for in one state file, each with a line and column:
// leftover conflict markers, invalid JSON, duplicate keys, a document that is not a NixOps
// export where one is expected, non-string values, and a layout nixops export would not
// print. Pure: text in, problems (and the canonical text `--fix` writes) out.

import { isObject, type JsonObject, type JsonValue, type Path } from "../../core/values";
import { JsonParseError, lineAndColumn, parseJson, type ParsedJson } from "../../formats/parseJson";
import { canonicalText, detectSeparators } from "../../formats/nixopsExport";
import { identityOf } from "../../core/mergeKeyedArrays";
import type { Profile } from "../../profiles/profile";
import { profileOf, type FileView } from "../../view/fileView";
import { stripBom } from "../../formats/bom";
import { readMarkers } from "../../formats/markerBlocks";
import { firstMarkerLine } from "../../formats/conflictMarkers";
import { describeKind } from "../../core/values";
import { keyOffset, keyPositions } from "./keyPositions";
import { layoutProblems } from "./layoutProblems";
import { problem, type Problem } from "./problems";
import { KIND_REVIEWS } from "../kindReview";

export interface CheckResult {
  problems: Problem[];
  /** The file in NixOps layout, when the only problems are layout ones (what --fix writes). */
  fixed: string | null;
  /** The layout `fixed` is in, for the message ("nixops export", "Terraform's"). */
  layoutName?: string;
}

export interface CheckOptions {
  /** How the file is read (its policy entry's profile and keyed arrays). */
  view: FileView;
  /**
   * Named a NixOps state file by its name (checked as one), or by Git's attributes (checked as
   * one when its top level holds only objects, as deployments; other JSON the driver merges by
   * its content, and check reads it the same way); a policy entry's profile overrides both.
   */
  declared: "name" | "attributes" | null;
  /** The file's conflict-marker-size attribute, which may be below Git's 7. */
  markerSize?: number;
}

function markerProblems(text: string, markerSize: number | undefined): Problem[] {
  const marked = readMarkers(text, markerSize);
  if (marked && marked.blocks.length > 0) {
    return marked.blocks.map((b) =>
      problem(b.startLine, 1, `leftover conflict marker (a conflict block, lines ${b.startLine}-${b.endLine}); settle it with statefile-merge resolve, or edit the file`),
    );
  }
  const stray = firstMarkerLine(text);
  return stray ? [problem(stray.line, 1, "leftover conflict marker line; remove it and check the JSON around it")] : [];
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

export function checkState(text: string, options: CheckOptions): CheckResult {
  const forced = options.view.overlay.profile;
  const none: CheckResult = { problems: [], fixed: null };
  const markers = markerProblems(text, options.markerSize);
  if (markers.length > 0) return { ...none, problems: markers };
  const body = stripBom(text);
  let parsed: ParsedJson;
  try {
    parsed = parseJson(body);
  } catch (e) {
    if (!(e instanceof JsonParseError)) throw e;
    return { ...none, problems: [problem(e.line, e.column, `invalid JSON: ${e.reason}`)] };
  }
  const positions = keyPositions(body);
  const at = (path: Path, occurrence?: number) => {
    const offset = path.length === 0 ? 0 : keyOffset(positions, path, occurrence);
    return lineAndColumn(body, offset ?? 0);
  };
  const problems: Problem[] = parsed.duplicates.map((d) => {
    const { line, column } = at(d.path, 1);
    return problem(line, column, `key ${JSON.stringify(d.path[d.path.length - 1])} is written ${d.values.length} times in the same object (readers keep only the last); keep one`);
  });
  // The file's own profile: the policy's, else a kind its content shows (a Terraform state,
  // whatever its name), else a declared state file's, else the content's.
  const read = profileOf(options.view, [parsed.value]);
  const own = KIND_REVIEWS[read.row.layout]?.check;
  if (own && (forced || parsed.duplicates.length === 0)) {
    const kind = own.run(parsed.value, body);
    return { problems: [...problems, ...kind.problems], fixed: kind.fixed, layoutName: own.layoutName };
  }
  const declared = options.declared === "name" || (options.declared === "attributes" && holdsOnlyObjects(parsed.value));
  const profile = forced ? forced : declared ? "nixops" : read.name;
  const nixops = profile === "nixops";
  if (!nixops) {
    problems.push(...keyedArrayProblems(parsed.value, read, (p) => at(p)));
    return { problems, fixed: null };
  }
  const shape = shapeProblems(parsed.value, (p) => at(p));
  problems.push(...shape);
  if (shape.length > 0 || parsed.duplicates.length > 0) return { problems, fixed: null };
  const separators = detectSeparators(body) ?? "py3";
  problems.push(...layoutProblems(text, parsed.value, separators));
  return { problems, fixed: problems.some((p) => p.fixable) ? canonicalText(parsed.value, separators) : null };
}

function holdsOnlyObjects(value: JsonValue): boolean {
  return isObject(value) && [...value.values()].every(isObject);
}

/** Keyed arrays the merge could not match element by element: an element without its identity, or one identity twice. */
function keyedArrayProblems(value: JsonValue, profile: Profile, at: (path: Path) => { line: number; column: number }): Problem[] {
  const out: Problem[] = [];
  const arrayKey = profile.policy.arrayKey;
  if (!arrayKey) return out;
  const walk = (node: JsonValue, path: Path) => {
    if (isObject(node)) {
      for (const [key, v] of node) walk(v, [...path, key]);
      return;
    }
    if (!Array.isArray(node)) return;
    const field = arrayKey(path);
    if (field === null) return node.forEach((v, i) => walk(v, [...path, String(i)]));
    const seen = new Set<string>();
    const { line, column } = at(path);
    node.forEach((element, i) => {
      const id = identityOf(element, field);
      if (id === null) out.push(problem(line, column, `element ${i + 1} of ${path.join("/")} has no string or number "${field}"; the merge then treats the whole array as one value, so give it one`));
      else if (seen.has(id)) out.push(problem(line, column, `${path.join("/")} has two elements with "${field}" ${id}; the merge then makes the whole array one conflict, so keep one`));
      else seen.add(id);
      walk(element, [...path, String(i)]);
    });
  };
  walk(value, []);
  return out;
}
