// Reads and checks a policy file's text. Every mistake becomes one Problem naming its line
// and what to do; nothing is guessed, so a file with any problem is not used at all.

import { JsonNumber, describeKind, isObject, type JsonObject, type JsonValue } from "../core/values";
import { JsonParseError, parseJson } from "../formats/parseJson";
import { DEFAULT_VOLATILE } from "../profiles/nixops";
import { fileGlobError } from "./fileGlob";
import { formatJsonPathPattern, parseJsonPathPattern, type PathPattern } from "../profiles/pathPattern";
import { SourceLines } from "./sourceLines";
import { isSecretName } from "../profiles/secrets";
import { namesLevel, namesRecordLevel, profileRow } from "../profiles/table";
import { FILE_GLOB_MAX_LENGTH, POLICY_MAX_BYTES, POLICY_MAX_ENTRIES, counted } from "./policyBounds";
import type { PolicyEntry, Problem, RepoPolicy } from "./policyTypes";

/** A key that any object may hold, for comments (JSON has none). */
const COMMENT = "//";
const TOP_KEYS = ["version", "files"];
const ENTRY_KEYS = ["profile", "keyedArrays", "volatile", "identity", "secretNames"];
const VOLATILE_KEYS = ["add", "remove"];
const PROFILES = ["nixops", "json", "tfstate"] as const;

export interface ParsedPolicy {
  policy: RepoPolicy;
  problems: Problem[];
  /**
   * Every string written in a "secretNames" array, read loosely from the text: a file with a
   * mistake (a syntax error, conflict markers mid-merge) still says what must stay hidden.
   */
  secretNamesWritten: string[];
}

export function parsePolicy(text: string, file: string): ParsedPolicy {
  const bare = text.replace(/^\ufeff/, "");
  const read = new PolicyReader(bare, file).read();
  // In the order of the file, whatever order the settings are checked in.
  read.problems.sort((a, b) => a.line - b.line);
  return { ...read, secretNamesWritten: secretNamesWritten(bare) };
}

const SECRET_NAMES_ARRAY = /"secretNames"\s*:\s*\[([^\]]*)\]/g;
const STRING_LITERAL = /"(?:[^"\\\n]|\\.)*"/g;

function secretNamesWritten(text: string): string[] {
  const names = new Set<string>();
  for (const array of text.matchAll(SECRET_NAMES_ARRAY)) {
    for (const literal of array[1].matchAll(STRING_LITERAL)) {
      try {
        names.add(JSON.parse(literal[0]) as string);
      } catch {
        // Not a JSON string: nothing to take from it.
      }
    }
  }
  return [...names];
}

function withArticle(v: JsonValue | undefined): string {
  const kind = v === undefined ? "absent" : describeKind(v);
  if (kind === "null" || kind === "absent") return kind;
  return (/^[aeiou]/.test(kind) ? "an " : "a ") + kind;
}

const quote = (s: string) => JSON.stringify(s);

/** The line of a trailing comma when a parse error stands at the "}" or "]" after one. */
function trailingComma(text: string, line: number, column: number): number | null {
  const lines = text.split("\n");
  const offset = lines.slice(0, line - 1).reduce((n, l) => n + l.length + 1, 0) + column - 1;
  if (text[offset] !== "}" && text[offset] !== "]") return null;
  let i = offset - 1;
  while (i >= 0 && /\s/.test(text[i])) i--;
  return text[i] === "," ? text.slice(0, i).split("\n").length : null;
}

/** A known key close to a mistyped one (case or up to two edits), for "did you mean". */
function closest(key: string, known: readonly string[]): string | undefined {
  const distance = (a: string, b: string): number => {
    let row = Array.from({ length: b.length + 1 }, (_, j) => j);
    for (let i = 1; i <= a.length; i++) {
      const next = [i];
      for (let j = 1; j <= b.length; j++) next[j] = Math.min(row[j] + 1, next[j - 1] + 1, row[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
      row = next;
    }
    return row[b.length];
  };
  return known.find((k) => k.toLowerCase() === key.toLowerCase()) ?? known.find((k) => distance(k.toLowerCase(), key.toLowerCase()) <= 2);
}

class PolicyReader {
  private readonly problems: Problem[] = [];
  private lines!: SourceLines;

  constructor(
    private readonly text: string,
    private readonly file: string,
  ) {}

  read(): Omit<ParsedPolicy, "secretNamesWritten"> {
    const policy: RepoPolicy = { file: this.file, entries: [] };
    const result = { policy, problems: this.problems };
    const bytes = Buffer.byteLength(this.text, "utf8");
    if (bytes > POLICY_MAX_BYTES) {
      this.problem(1, `the file holds ${counted(bytes)} bytes, more than the ${counted(POLICY_MAX_BYTES)} (1 MiB) a policy file may hold; let one glob cover many files (state/*.json) instead of one entry per file`);
      return result;
    }
    let value: JsonValue;
    try {
      const parsed = parseJson(this.text, { spans: true });
      value = parsed.value;
      this.lines = new SourceLines(this.text, parsed.spans as WeakMap<object, [number, number]>);
      for (const d of parsed.duplicates) this.duplicate(value, d.path);
    } catch (e) {
      if (!(e instanceof JsonParseError)) throw e;
      const comma = trailingComma(this.text, e.line, e.column);
      if (comma) this.problem(comma, "a comma after the last item of an object or array, which JSON does not allow; remove it");
      else this.problem(e.line, `not valid JSON at column ${e.column} (${e.reason}); fix the syntax`);
      return result;
    }
    if (!isObject(value)) {
      this.problem(1, `the file holds ${withArticle(value)}; it must be an object like { "files": { "tenants.json": { ... } } }`);
      return result;
    }
    this.unknownKeys(value, TOP_KEYS, "at the top level");
    const version = value.get("version");
    if (version !== undefined && !(version instanceof JsonNumber && version.text === "1")) {
      this.problem(this.lines.ofKey(value, "version"), `"version" must be 1, the only version this statefile-merge reads; write 1 or remove it`);
    }
    const files = value.get("files");
    if (files === undefined) {
      this.problem(this.lines.ofNode(value), `there is no "files" object; add "files": { "<file glob>": { ... } }`);
    } else if (!isObject(files)) {
      this.wrongType(this.lines.ofKey(value, "files"), `"files"`, "an object of file globs to settings", files, `{ "tenants.json": { "profile": "json" } }`);
    } else if (files.size > POLICY_MAX_ENTRIES) {
      const line = this.lines.ofKey(value, "files");
      this.problem(line, `"files" holds ${counted(files.size)} entries, more than the ${counted(POLICY_MAX_ENTRIES)} allowed; let one glob cover many files (state/*.json) instead of one entry per file`);
    } else {
      for (const [glob, entry] of files) {
        if (glob === COMMENT) continue;
        const read = this.entry(files, glob, entry);
        if (read) policy.entries.push(read);
      }
    }
    return result;
  }

  private problem(line: number, message: string): void {
    this.problems.push({ file: this.file, line, message });
  }

  private wrongType(line: number, where: string, expected: string, got: JsonValue, example: string): void {
    this.problem(line, `${where} is ${withArticle(got)}; it must be ${expected}, like ${example}`);
  }

  private unknownKeys(obj: JsonObject, known: readonly string[], where: string): void {
    for (const key of obj.keys()) {
      if (key === COMMENT || known.includes(key)) continue;
      const near = closest(key, known);
      const hint = near ? `did you mean ${quote(near)}?` : `use one of ${known.join(", ")} (or "//" for a comment)`;
      this.problem(this.lines.ofKey(obj, key), `unknown key ${quote(key)} ${where}; ${hint}`);
    }
  }

  private duplicate(root: JsonValue, path: readonly string[]): void {
    let parent: JsonValue | undefined = root;
    for (const key of path.slice(0, -1)) {
      parent = isObject(parent) ? parent.get(key) : Array.isArray(parent) ? parent[Number(key)] : undefined;
    }
    const key = path[path.length - 1];
    const line = isObject(parent) ? this.lines.ofKey(parent, key, 1) : 1;
    this.problem(line, `the key ${quote(key)} is written twice in one object; keep one (JSON readers keep only the last)`);
  }

  private entry(files: JsonObject, glob: string, value: JsonValue): PolicyEntry | null {
    const line = this.lines.ofKey(files, glob);
    // A glob too long to use is shown by its start: the line number finds the rest.
    const shown = glob.length > FILE_GLOB_MAX_LENGTH ? `${quote(glob.slice(0, 40))}...` : quote(glob);
    const where = `files[${shown}]`;
    const globError = fileGlobError(glob);
    if (globError) this.problem(line, `the file glob ${shown} ${globError}`);
    if (!isObject(value)) {
      this.wrongType(line, where, "an object of settings", value, `{ "keyedArrays": { "/tenants": "id" } }`);
      return null;
    }
    this.unknownKeys(value, ENTRY_KEYS, `in ${where}`);
    const entry: PolicyEntry = { glob, line, keyedArrays: [], volatile: { enabled: true, add: [], remove: [] }, identity: {}, secretNames: [] };
    this.profile(value, where, entry);
    entry.secretNames = this.stringList(value, "secretNames", `${where}.secretNames`, "secret attribute name", `["licenseCode"]`);
    this.keyedArrays(value, where, entry);
    this.volatile(value, where, entry);
    this.identity(value, where, entry);
    return globError ? null : entry;
  }

  private profile(value: JsonObject, where: string, entry: PolicyEntry): void {
    const profile = value.get("profile");
    if (profile === undefined) return;
    const line = this.lines.ofKey(value, "profile");
    if (typeof profile !== "string") return this.wrongType(line, `${where}.profile`, `"nixops", "json" or "tfstate"`, profile, `"json"`);
    const known = PROFILES.find((p) => p === profile);
    if (known) entry.profile = known;
    else this.problem(line, `${where}.profile is ${quote(profile)}, an unknown profile; use "nixops", "json" or "tfstate", or remove it to choose from the content`);
  }

  private keyedArrays(value: JsonObject, where: string, entry: PolicyEntry): void {
    const keyed = value.get("keyedArrays");
    if (keyed === undefined) return;
    if (!isObject(keyed)) {
      return this.wrongType(this.lines.ofKey(value, "keyedArrays"), `${where}.keyedArrays`, "an object of array paths to identity fields", keyed, `{ "/tenants": "id" }`);
    }
    for (const [path, field] of keyed) {
      if (path === COMMENT) continue;
      const line = this.lines.ofKey(keyed, path);
      const at = `${where}.keyedArrays[${quote(path)}]`;
      const parsed = parseJsonPathPattern(path);
      if ("error" in parsed) this.problem(line, `the array path ${quote(path)} in ${where}.keyedArrays ${parsed.error}`);
      if (typeof field !== "string") this.wrongType(line, at, "the name of the identity field", field, `"id"`);
      else if (field.trim() === "") this.problem(line, `${at} is an empty identity field; write the field that tells elements apart, like "id"`);
      else if (field !== field.trim()) this.problem(line, `${at} is ${quote(field)}, with spaces around the field name; remove them`);
      // Every conflict line, report and log names an element by its identity: a secret there would be printed.
      else if (isSecretName(field, entry.secretNames)) this.problem(line, `${at} is ${quote(field)}, a secret attribute; elements are named by their identity in every message, so key them by a field that is not secret, like "id" or "name"`);
      else if ("pattern" in parsed) {
        // Everything below a level named like a secret is secret, its elements' identities too.
        const secretLevel = parsed.pattern.find((level) => isSecretName(level, entry.secretNames));
        if (secretLevel === undefined) entry.keyedArrays.push({ pattern: parsed.pattern, field });
        else this.problem(line, `${at}: the array lies under ${quote(secretLevel)}, named like a secret, so its elements' identities are secrets, and every message names an element by its identity; remove the entry (the array is then merged as one value, shown as a hash)`);
      }
    }
  }

  private volatile(value: JsonObject, where: string, entry: PolicyEntry): void {
    const volatile = value.get("volatile");
    if (volatile === undefined) return;
    if (typeof volatile === "boolean") {
      entry.volatile.enabled = volatile;
      return;
    }
    if (!isObject(volatile)) {
      const expected = "true, false (no volatile values) or an object with add and remove lists";
      return this.wrongType(this.lines.ofKey(value, "volatile"), `${where}.volatile`, expected, volatile, `{ "add": ["/tenants/*/lastSeen"] }`);
    }
    this.unknownKeys(volatile, VOLATILE_KEYS, `in ${where}.volatile`);
    const added = this.pathList(volatile, "add", `${where}.volatile.add`);
    // The merge never takes these as volatile (ours would win whole records, dropping theirs'):
    // a path naming them would be ignored without a word.
    const keyedArrays = [...entry.keyedArrays, ...(entry.profile ? (profileRow(entry.profile).keyedArrays ?? []) : [])].map((k) => k.pattern);
    for (const { pattern, line } of added) {
      const text = quote(formatJsonPathPattern(pattern));
      const array = keyedArrays.find((k) => namesLevel([k], pattern));
      const elementsOf = keyedArrays.find((k) => namesLevel([[...k, "*"]], pattern));
      const field = (k: PathPattern) => quote(formatJsonPathPattern([...k, "*", "lastSeen"]));
      if (pattern.length === 0) this.problem(line, `${text} in ${where}.volatile.add names the whole document, which is never volatile (ours would drop every change of theirs); name a value a deploy rewrites, such as "/tenants/*/lastSeen"`);
      else if (entry.profile === "nixops" && namesRecordLevel(profileRow("nixops"), pattern)) {
        this.problem(line, `${text} in ${where}.volatile.add names whole deployments or machines, which are never volatile (ours would drop theirs' machines); name an attribute a deploy rewrites, such as "/*/resources/*/publicIpv4"`);
      } else if (array) {
        this.problem(line, `${text} in ${where}.volatile.add names a keyed array, which is never volatile (ours would drop the elements theirs added); name a field of its elements, such as ${field(array)}`);
      } else if (elementsOf) {
        this.problem(line, `${text} in ${where}.volatile.add names whole elements of a keyed array, which are never volatile (ours would drop the elements theirs added); name a field of them, such as ${field(elementsOf)}`);
      }
    }
    entry.volatile.add = added.map((p) => p.pattern);
    const defaults = DEFAULT_VOLATILE.map(formatJsonPathPattern);
    for (const { pattern, line } of this.pathList(volatile, "remove", `${where}.volatile.remove`)) {
      const text = formatJsonPathPattern(pattern);
      if (entry.profile !== "json" && defaults.includes(text)) {
        entry.volatile.remove.push(pattern);
        continue;
      }
      const none = entry.profile === "json" ? "the json profile has no default volatile paths" : `the defaults are ${defaults.join(", ")}`;
      this.problem(line, `${quote(text)} in ${where}.volatile.remove is not a default volatile path (${none}); remove it, or write "volatile": false to turn the rule off`);
    }
  }

  private identity(value: JsonObject, where: string, entry: PolicyEntry): void {
    const identity = value.get("identity");
    if (identity === undefined) return;
    const line = this.lines.ofKey(value, "identity");
    if (entry.profile === "json") {
      this.problem(line, `${where}.identity names NixOps resource types, but the profile is "json"; remove it or write "profile": "nixops"`);
    }
    if (!isObject(identity)) {
      return this.wrongType(line, `${where}.identity`, "an object of NixOps resource types to attribute lists", identity, `{ "libvirtd": ["libvirtd.domainUUID"] }`);
    }
    for (const type of identity.keys()) {
      if (type === COMMENT) continue;
      const at = `${where}.identity[${quote(type)}]`;
      if (type.trim() === "") {
        this.problem(this.lines.ofKey(identity, type), `${where}.identity has an empty resource type; write the type as nixops export shows it, like "libvirtd"`);
        continue;
      }
      const attrs = this.stringList(identity, type, at, "identity attribute", `["libvirtd.domainUUID"]`);
      const list = identity.get(type);
      if (attrs.length > 0) entry.identity[type] = attrs;
      else if (Array.isArray(list) && list.length === 0) {
        this.problem(this.lines.ofKey(identity, type), `${at} is an empty list; list the attributes that change when the resource is re-created, or remove the type`);
      }
    }
  }

  /** A list of non-empty strings at `obj[key]`; each mistake reported at its element. */
  private stringList(obj: JsonObject, key: string, where: string, what: string, example: string): string[] {
    return this.stringItems(obj, key, where, what, example).map((item) => item.text);
  }

  /** The good strings of that list, each with its line. */
  private stringItems(obj: JsonObject, key: string, where: string, what: string, example: string): { text: string; line: number }[] {
    const list = obj.get(key);
    if (list === undefined) return [];
    if (!Array.isArray(list)) {
      this.wrongType(this.lines.ofKey(obj, key), where, `a list of ${what}s`, list, example);
      return [];
    }
    const out: { text: string; line: number }[] = [];
    list.forEach((item, i) => {
      const line = this.lines.ofElement(list, i);
      if (typeof item !== "string") this.wrongType(line, `element ${i + 1} of ${where}`, `a ${what}`, item, example.replace(/^\[|\]$/g, ""));
      else if (item.trim() === "") this.problem(line, `element ${i + 1} of ${where} is an empty ${what}; write a name or remove the element`);
      else out.push({ text: item, line });
    });
    return out;
  }

  private pathList(obj: JsonObject, key: string, where: string): { pattern: PathPattern; line: number }[] {
    const out: { pattern: PathPattern; line: number }[] = [];
    for (const { text, line } of this.stringItems(obj, key, where, "path", `["/tenants/*/lastSeen"]`)) {
      const parsed = parseJsonPathPattern(text);
      if ("error" in parsed) this.problem(line, `the path ${quote(text)} in ${where} ${parsed.error}`);
      else out.push({ pattern: parsed.pattern, line });
    }
    return out;
  }
}
