// One repository per test file, set up the way a team sets it up (`statefile-merge install`
// with the built bin, a real NixOps export committed), then copied for each test with `cp -r`
// so every test starts from the same state without paying for init and install again.

import { afterAll, beforeAll } from "vitest";
import { execFileSync } from "node:child_process";
import { mkdtempSync, mkdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { TempRepo, type GitResult } from "./gitRepo";
import { BIN, State, fixtureText } from "./fixtures";

export const FILE = "prod.nixops.json";
export const FIXTURE = "ec2-prod-5machines";
export const DEPLOYMENT = "prod";

/** The base state: the real fixture, byte for byte. */
export function baseText(): string {
  return fixtureText(FIXTURE);
}

export function baseState(): State {
  return State.fixture(FIXTURE);
}

// Two changes on adjacent lines of one machine: Git's line merge conflicts on them, a record
// merge does not. A clean result therefore proves that the driver ran.
export const oursChange = (s: State) => s.set(DEPLOYMENT, "app1", "publicIpv4", "203.0.113.10");
export const theirsChange = (s: State) => s.set(DEPLOYMENT, "app1", "sshPinged", "0");
// Both sides deploy app1 from different configurations: a true conflict.
export const oursDeploy = (s: State) => s.set(DEPLOYMENT, "app1", "toplevel", "/nix/store/0000000000000000000000000000ours-nixos-system-app1");
export const theirsDeploy = (s: State) => s.set(DEPLOYMENT, "app1", "toplevel", "/nix/store/00000000000000000000000000theirs-nixos-system-app1");

export function stateWith(...changes: Array<(s: State) => State>): string {
  let s = baseState();
  for (const c of changes) s = c(s);
  return s.text();
}

export function runBin(repo: TempRepo, args: string[], cwd = repo.dir): GitResult {
  try {
    const stdout = execFileSync(process.execPath, [BIN, ...args], { cwd, env: repo.env, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
    return { status: 0, stdout, stderr: "" };
  } catch (e) {
    const err = e as { status: number | null; stdout: string; stderr: string };
    return { status: err.status ?? -1, stdout: err.stdout, stderr: err.stderr };
  }
}

/** Builds the shared repository once: `main` with the fixture and .gitattributes committed, the driver installed. */
export function buildFixtureRepo(): TempRepo {
  const repo = TempRepo.create();
  // --attributes: the team's repository commits its .gitattributes.
  const r = runBin(repo, ["install", "--attributes"]);
  if (r.status !== 0) throw new Error(`install failed: ${r.stderr}`);
  repo.write(FILE, baseText());
  repo.commit("base state");
  return repo;
}

const copies: string[] = [];

/** A private copy of the shared repository (its config holds the installed driver). */
export function copyRepo(fixture: TempRepo): TempRepo {
  const root = mkdtempSync(join(tmpdir(), "statefile-merge-flow-"));
  copies.push(root);
  mkdirSync(join(root, "home"));
  execFileSync("cp", ["-r", fixture.dir, join(root, "repo")]);
  return new TempRepo(join(root, "repo"));
}

export function removeCopies(fixture?: TempRepo): void {
  for (const dir of copies.splice(0)) rmSync(dir, { recursive: true, force: true });
  if (fixture) rmSync(join(fixture.dir, ".."), { recursive: true, force: true });
}

/** Commits `text` as FILE on a new branch from `from`, then returns to `back`. */
export function branchWith(repo: TempRepo, branch: string, text: string, message: string, from = "main", back = "main"): void {
  repo.git("checkout", "-q", "-b", branch, from);
  repo.write(FILE, text).commit(message, FILE);
  repo.git("checkout", "-q", back);
}

export function commitOnMain(repo: TempRepo, text: string, message: string): void {
  repo.git("checkout", "-q", "main");
  repo.write(FILE, text).commit(message, FILE);
}

/** `topic` commits theirs and main then commits ours, both from main's tip: a merge of topic to come. */
export function diverge(repo: TempRepo, ours: string, theirs: string, subjects = { ours: "ours: deploy", theirs: "theirs: deploy" }): TempRepo {
  branchWith(repo, "topic", theirs, subjects.theirs);
  commitOnMain(repo, ours, subjects.ours);
  return repo;
}

export function gitVersion(repo: TempRepo): [number, number] {
  const m = /(\d+)\.(\d+)/.exec(repo.git("version"))!;
  return [Number(m[1]), Number(m[2])];
}

export function gitAtLeast(repo: TempRepo, major: number, minor: number): boolean {
  const [a, b] = gitVersion(repo);
  return a > major || (a === major && b >= minor);
}

export interface Hunk {
  ours: string[];
  base: string[] | null;
  theirs: string[];
  oursLabel: string;
  baseLabel: string | null;
  theirsLabel: string;
}

/** Splits a conflicted file into its hunks (markers of `size` characters). */
export function hunks(text: string, size = 7): Hunk[] {
  const out: Hunk[] = [];
  const mark = (c: string) => new RegExp(`^\\${c}{${size}}(?: (.*))?$`);
  let cur: Hunk | null = null;
  let part: "ours" | "base" | "theirs" = "ours";
  for (const line of text.split("\n")) {
    let m: RegExpExecArray | null;
    if ((m = mark("<").exec(line))) {
      cur = { ours: [], base: null, theirs: [], oursLabel: m[1] ?? "", baseLabel: null, theirsLabel: "" };
      part = "ours";
    } else if (cur && (m = mark("|").exec(line))) {
      cur.base = [];
      cur.baseLabel = m[1] ?? "";
      part = "base";
    } else if (cur && line === "=".repeat(size)) {
      part = "theirs";
    } else if (cur && (m = mark(">").exec(line))) {
      cur.theirsLabel = m[1] ?? "";
      out.push(cur);
      cur = null;
    } else if (cur) {
      (part === "base" ? cur.base! : cur[part]).push(line);
    }
  }
  return out;
}

/** The file with every hunk replaced by one side, as an editor's "accept ours/theirs" does. */
export function pickAll(text: string, side: "ours" | "theirs", size = 7): string {
  const out: string[] = [];
  let state: "out" | "ours" | "base" | "theirs" = "out";
  for (const line of text.split("\n")) {
    if (line.startsWith("<".repeat(size)) && (line.length === size || line[size] === " ")) state = "ours";
    else if (state !== "out" && line.startsWith("|".repeat(size)) && (line.length === size || line[size] === " ")) state = "base";
    else if (state !== "out" && line === "=".repeat(size)) state = "theirs";
    else if (state !== "out" && line.startsWith(">".repeat(size)) && (line.length === size || line[size] === " ")) state = "out";
    else if (state === "out" || state === side) out.push(line);
  }
  return out.join("\n");
}

/**
 * For a test file: builds the installed fixture repository once (beforeAll), removes it and
 * every copy afterwards (afterAll), and returns a function giving each test its own copy.
 */
export function installedRepoCopies(): () => TempRepo {
  let fixture: TempRepo | undefined;
  beforeAll(() => {
    fixture = buildFixtureRepo();
  });
  afterAll(() => removeCopies(fixture));
  return () => {
    if (fixture === undefined) throw new Error("installedRepoCopies: the fixture repository is built in beforeAll");
    return copyRepo(fixture);
  };
}
