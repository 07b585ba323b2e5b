// Everything `statefile-merge check` looks for in one state file, each with a line and column:
// leftover conflict markers, invalid JSON, duplicate keys, then what the file's kind checks
// (review/kindReview.ts: a NixOps export's shape and layout, a Terraform state's layout), or
// for other JSON, keyed arrays the merge could not match. Pure: text in, problems (and the
// canonical text `--fix` writes) out.

import { isObject, type JsonValue, type Path } from "../../core/values";
import { JsonParseError, lineAndColumn, parseJson, type ParsedJson } from "../../formats/parseJson";
import { identityOf } from "../../core/mergeKeyedArrays";
import type { Profile } from "../../profiles/profile";
import { profileOf, type FileView } from "../../view/fileView";
import { stripBom } from "../../formats/bom";
import { readMarkers } from "../../formats/markerBlocks";
import { firstMarkerLine } from "../../formats/conflictMarkers";
import { duplicateKeyAt, keyOffset, keyPositions } from "./keyPositions";
import { problem, type Problem } from "./problems";
import { KIND_REVIEWS } from "../kindReview";
import { NIXOPS_ROW } from "../../profiles/nixops";
import type { ProfileRow } from "../../profiles/profileRow";

export interface CheckResult {
  problems: Problem[];
  /**
   * The file in its kind's layout, when the only problems are layout ones (what --fix writes),
   * and that layout's name for the message ("nixops export", "Terraform's").
   */
  fixed: { text: string; layoutName: string } | null;
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
  const at = (path: Path) => lineAndColumn(body, path.length === 0 ? 0 : (keyOffset(positions, path) ?? 0));
  // The kind the file is checked as: the policy's; else one its content shows (a Terraform
  // state, whatever its name) whose check takes this document; else NixOps for a file declared
  // a NixOps state file (so that a broken one is told what nixops import needs); else the content's.
  const read = profileOf(options.view, [parsed.value]);
  const problems: Problem[] = parsed.duplicates.map((d) => {
    const { line, column, reason } = duplicateKeyAt(body, d.path, d.values.length, String(read.shownPath(d.path).at(-1)), positions);
    return problem(line, column, `${reason}; keep one`);
  });
  const duplicates = parsed.duplicates.length > 0;
  const takes = (row: ProfileRow) => {
    const check = KIND_REVIEWS[row.layout]?.check;
    return check !== undefined && (forced !== undefined || check.takesDuplicates || !duplicates);
  };
  const declared = forced === undefined && (options.declared === "name" || (options.declared === "attributes" && holdsOnlyObjects(parsed.value)));
  const row = !takes(read.row) && declared ? NIXOPS_ROW : read.row;
  const own = takes(row) ? KIND_REVIEWS[row.layout]?.check : undefined;
  if (own) {
    const kind = own.run(parsed.value, { text, body, at: (p) => at(p), duplicates });
    // Never a rewrite of a document holding a key twice: it would keep one copy without a word.
    const fixed = kind.fixed === null || duplicates ? null : { text: kind.fixed, layoutName: own.layoutName };
    return { problems: [...problems, ...kind.problems], fixed };
  }
  problems.push(...keyedArrayProblems(parsed.value, read, (p) => at(p)));
  return { problems, fixed: null };
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
    const where = profile.shownPath(path).join("/");
    node.forEach((element, i) => {
      const id = identityOf(element, field);
      if (id === null) out.push(problem(line, column, `element ${i + 1} of ${where} has no string or number "${field}"; the merge then treats the whole array as one value, so give it one`));
      else if (seen.has(id)) out.push(problem(line, column, `${where} has two elements with "${field}" ${profile.shownPath([...path, id]).at(-1)}; the merge then makes the whole array one conflict, so keep one`));
      else seen.add(id);
      walk(element, [...path, String(i)]);
    });
  };
  walk(value, []);
  return out;
}
