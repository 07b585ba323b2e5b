// The hostile and odd inputs of issue 5, each made from a side's own text so that the side's
// content is still there to look for in the result; and the oracle that looks for it.

import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { BIN, State } from "./fixtures";
import { isolatedGitEnv } from "./gitRepo";

export type Position = "base" | "ours" | "theirs";
export const POSITIONS: Position[] = ["base", "ours", "theirs"];

/** Text each side adds, to find in the result. */
export const MARK = { ours: "ours-change-5d1c", theirs: "theirs-change-a37e" };

export interface Triple {
  base: Buffer;
  ours: Buffer;
  theirs: Buffer;
}

/** A real fixture as base; ours and theirs each add a machine and change a different one. */
export function nixopsTriple(): Triple {
  const base = State.fixture("ec2-prod-5machines");
  const ours = base.clone().addResource("prod", "from-ours", { type: "none", note: MARK.ours, creationTime: "1700000001" }).set("prod", "db1", "state", "5");
  const theirs = base.clone().addResource("prod", "from-theirs", { type: "none", note: MARK.theirs, creationTime: "1700000002" }).set("prod", "lb1", "publicIpv4", "203.0.113.9");
  return { base: Buffer.from(base.text()), ours: Buffer.from(ours.text()), theirs: Buffer.from(theirs.text()) };
}

/** Generic JSON (not a NixOps export): numbers past 2^53, 1e400, and prototype-named keys. */
export function genericTriple(): Triple {
  const base = '{\n  "name": "cluster",\n  "count": 1,\n  "limits": {\n    "cpu": 2\n  }\n}\n';
  const ours = '{\n  "name": "cluster",\n  "count": 1,\n  "big": 12345678901234567890123,\n  "__proto__": {\n    "polluted": "' + MARK.ours + '"\n  },\n  "limits": {\n    "cpu": 2,\n    "tiny": 1e-400\n  }\n}\n';
  const theirs = '{\n  "name": "cluster",\n  "count": 9007199254740993,\n  "huge": 1e400,\n  "constructor": {\n    "prototype": "' + MARK.theirs + '"\n  },\n  "limits": {\n    "cpu": 2\n  }\n}\n';
  return { base: Buffer.from(base), ours: Buffer.from(ours), theirs: Buffer.from(theirs) };
}

export type Outcome = "clean" | "conflict" | "fallback";

export interface HostileCase {
  name: string;
  make(text: Buffer): Buffer;
  /** What must happen with this input at each position (base, ours, theirs). */
  expect: Record<Position, Outcome>;
  /** What the fallback reason must say. */
  reason?: RegExp;
}

const all = (o: Outcome): Record<Position, Outcome> => ({ base: o, ours: o, theirs: o });
const noBase = (o: Outcome): Record<Position, Outcome> => ({ base: "conflict", ours: o, theirs: o });
const str = (b: Buffer) => b.toString("utf8");

/** Inserts bytes inside the first string value after `"description"` or `"name"`. */
function insideString(text: Buffer, bytes: Buffer): Buffer {
  const at = text.indexOf('"name": "') + '"name": "'.length;
  return Buffer.concat([text.subarray(0, at), bytes, text.subarray(at)]);
}

/** Writes a copy of one resource record right after it, with another vmId (a duplicate key). */
function duplicateResource(text: string, name: string): string {
  const start = text.indexOf(`      "${name}": {`);
  const end = text.indexOf("\n      }", start) + "\n      }".length;
  const record = text.slice(start, end);
  return text.slice(0, end) + ",\n" + record.replace(/"vmId": "[^"]*"/, '"vmId": "i-0duplicate"') + text.slice(end);
}

function conflictBlock(size: number): (text: Buffer) => Buffer {
  return (text) => {
    const lines = str(text).split("\n");
    const at = Math.floor(lines.length / 2);
    const block = ["<".repeat(size) + " HEAD", lines[at], "=".repeat(size), lines[at].replace(/"([^"]*)"(,?)$/, '"$1-other"$2'), ">".repeat(size) + " topic"];
    lines.splice(at, 1, ...block);
    return Buffer.from(lines.join("\n"));
  };
}

export const HOSTILE_CASES: HostileCase[] = [
  { name: "empty file", make: () => Buffer.alloc(0), expect: noBase("fallback"), reason: /is empty/ },
  { name: "whitespace only", make: () => Buffer.from(" \n\t\r\n  \n"), expect: noBase("fallback"), reason: /is empty/ },
  { name: "truncated JSON", make: (t) => t.subarray(0, Math.floor(t.length * 0.6)), expect: all("fallback"), reason: /not valid JSON: line \d+, column \d+/ },
  { name: "UTF-8 BOM", make: (t) => Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), t]), expect: all("clean") },
  { name: "CRLF line ends", make: (t) => Buffer.from(str(t).replace(/\n/g, "\r\n")), expect: all("clean") },
  { name: "invalid UTF-8", make: (t) => insideString(t, Buffer.from([0xff, 0xfe, 0xc3])), expect: all("fallback"), reason: /not valid UTF-8/ },
  { name: "NUL bytes", make: (t) => insideString(t, Buffer.from([0])), expect: all("fallback"), reason: /NUL/ },
  { name: "lone surrogate \\ud800", make: (t) => Buffer.from(str(t).replace('"ec2.region": "eu-west-1"', '"ec2.region": "eu-west-1\\ud800"')), expect: all("clean") },
  { name: "duplicate resource", make: (t) => Buffer.from(duplicateResource(str(t), "lb2")), expect: all("conflict") },
  { name: "duplicate attribute", make: (t) => Buffer.from(str(t).replace('"state": "3",', '"state": "3",\n        "state": "7",')), expect: all("fallback"), reason: /twice/ },
  { name: "nesting 100,000 arrays deep", make: () => Buffer.from("[".repeat(100_000) + "]".repeat(100_000) + "\n"), expect: all("fallback"), reason: /nest/ },
  { name: "nesting 100,000 objects deep", make: () => Buffer.from('{"a":'.repeat(100_000) + "1" + "}".repeat(100_000) + "\n"), expect: all("fallback"), reason: /nest/ },
  { name: "top level array", make: () => Buffer.from('[\n  "' + "not-an-object" + '",\n  1\n]\n'), expect: all("conflict") },
  { name: "top level string", make: () => Buffer.from('"just text"\n'), expect: all("conflict") },
  { name: "top level number", make: () => Buffer.from("12345678901234567890\n"), expect: all("conflict") },
  { name: "top level null", make: () => Buffer.from("null\n"), expect: all("conflict") },
  ...[1, 3, 7, 8, 32, 1000].map((size): HostileCase => ({
    name: `conflict markers of size ${size}`,
    make: conflictBlock(size),
    expect: all("fallback"),
    reason: size >= 7 ? /conflict markers/ : /not valid JSON/,
  })),
];

/** The triple with one input replaced by its hostile variant. */
export function withHostile(triple: Triple, c: HostileCase, position: Position): Triple {
  return { ...triple, [position]: c.make(triple[position]) };
}

// ---------------------------------------------------------------------------------------------
// The oracle: a side's content is present when every line it has and the base has not is in
// the result (compared without line ends, indentation, trailing commas or a BOM). A BOM is
// dropped at the start of any line, not only of the file: a fallback that writes a whole side
// between conflict markers keeps its BOM after the "=======" line (seed 859862406).

function lines(b: Buffer): string[] {
  return b
    .toString("latin1")
    .split("\n")
    .map((l) => l.replace(/^\xef\xbb\xbf/, "").replace(/\r$/, "").trim().replace(/, ?$/, ""))
    .filter((l) => l !== "");
}

/** Lines of `side` not in `base` that the result lacks (an empty list when nothing is lost). */
export function missingLines(result: Buffer, side: Buffer, base: Buffer): string[] {
  const have = new Set(lines(result));
  const old = new Set(lines(base));
  return lines(side).filter((l) => !old.has(l) && !have.has(l));
}

// ---------------------------------------------------------------------------------------------
// Running the real bin, as Git does, in a scratch directory with an isolated Git config.

export interface BinRun {
  status: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  result: Buffer;
  dir: string;
}

export function scratchDir(prefix = "statefile-merge-hostile-"): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  mkdirSync(join(dir, "home"));
  return dir;
}

export function isolatedEnv(dir: string): NodeJS.ProcessEnv {
  return { ...isolatedGitEnv(join(dir, "home")), GIT_CEILING_DIRECTORIES: tmpdir() };
}

/** `merge base ours theirs` on files written into a fresh directory; ours is replaced in place. */
export function runBin(t: Triple, extraArgs: string[] = [], timeoutMs = 120_000): BinRun {
  const dir = scratchDir();
  writeFileSync(join(dir, ".merge_file_base"), t.base);
  writeFileSync(join(dir, ".merge_file_ours"), t.ours);
  writeFileSync(join(dir, ".merge_file_theirs"), t.theirs);
  const args = [BIN, "merge", ".merge_file_base", ".merge_file_ours", ".merge_file_theirs", "-p", "state.json", "-l", "7", "-s", "base", "-x", "HEAD", "-y", "topic", ...extraArgs];
  const r = spawnSync(process.execPath, args, { cwd: dir, env: isolatedEnv(dir), encoding: "utf8", timeout: timeoutMs });
  return { status: r.status, signal: r.signal, stdout: r.stdout, stderr: r.stderr, result: readFileSync(join(dir, ".merge_file_ours")), dir };
}

/** A Node or V8 stack trace line ("    at fn (file:1:2)"), which must never reach the user. */
export const STACK_TRACE = /^\s+at .+(:\d+:\d+\)?|\(native\)|<anonymous>\)?)$/m;

/** String and number literals of a JSON text, decoded (a structured merge may re-flow lines). */
function tokens(b: Buffer): string[] {
  const out: string[] = [];
  for (const m of b.toString("utf8").matchAll(/"(?:[^"\\\n]|\\.)*"|-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?/g)) {
    try {
      out.push(m[0].startsWith('"') ? "s" + (JSON.parse(m[0]) as string) : "n" + m[0]);
    } catch {
      out.push("r" + m[0]);
    }
  }
  return out;
}

/** Literals `side` has and `base` has not that the result lacks: for structured results. */
export function missingTokens(result: Buffer, side: Buffer, base: Buffer): string[] {
  const have = new Set(tokens(result));
  const old = new Set(tokens(base));
  return [...new Set(tokens(side))].filter((t) => !old.has(t) && !have.has(t));
}
