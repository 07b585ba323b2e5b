// Conflict labels for Git older than 2.44, which passes %S, %X and %Y to drivers literally.
// Without labels a rebase cannot say which side is which (ours is the upstream there), so we
// work them out from what the running Git command leaves visible: its command line, the
// rebase/am/sequencer state directories, the *_HEAD refs and GITHEAD_<sha> variables.
// Git holds index.lock while a driver runs: only read-only git commands are used here.

import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { basename } from "node:path";
import { markerSizeOf } from "./attributes";
import { gitDirFile, oneLine, patchSubject, stoppedCommand, type StoppedCommand } from "./operationState";
import { gitText, GitError } from "./run";

export interface Labels {
  base: string;
  ours: string;
  theirs: string;
}

export interface GivenLabels {
  baseLabel?: string;
  oursLabel?: string;
  theirsLabel?: string;
  markerSize?: number;
  path?: string;
  virtualBase?: boolean;
}

const PLACEHOLDERS: Labels = { base: "%S", ours: "%X", theirs: "%Y" };
export const PLAIN: Labels = { base: "base", ours: "ours", theirs: "theirs" };
const UPSTREAM = "HEAD (upstream, being rebased onto)";

/** True when Git passed the placeholders through unexpanded (Git < 2.44). */
export function labelsAreLiteral(given: GivenLabels): boolean {
  return given.baseLabel === PLACEHOLDERS.base || given.oursLabel === PLACEHOLDERS.ours || given.theirsLabel === PLACEHOLDERS.theirs;
}

/**
 * Replaces literal placeholder labels in `markers` by labels derived from the repository.
 * The look-up runs git, so it happens only when a label is first read (a conflict or a
 * fallback), never for a clean merge.
 */
export function withRepositoryLabels<T extends Labels>(markers: T, given: GivenLabels, derive = () => labelsFromRepository(given)): T {
  if (!labelsAreLiteral(given)) return markers;
  let derived: Labels | undefined;
  const get = (side: keyof Labels) => () => {
    derived ??= safely(derive) ?? PLAIN;
    return derived[side];
  };
  for (const side of ["base", "ours", "theirs"] as const) {
    if (given[`${side}Label`] !== PLACEHOLDERS[side]) continue;
    Object.defineProperty(markers, side, { get: get(side), set: undefined, enumerable: true, configurable: true });
  }
  return markers;
}

function safely(derive: () => Labels | null): Labels | null {
  try {
    return derive();
  } catch {
    return null;
  }
}

// ---- the repository probe ----

interface Probe {
  gitDir: string;
  /** What the git directory shows under way, read once. */
  stopped: StoppedCommand | null;
  git(args: string[]): string | null;
  file(relative: string): string | null;
  ref(name: string): string | null;
}

/** Git runs drivers at the top of the work tree: the probe runs git where we were started. */
function makeProbe(): Probe | null {
  const cwd = process.cwd();
  const git = (args: string[]): string | null => {
    try {
      return gitText(cwd, args, { timeout: 5000 });
    } catch (e) {
      // Git that does not answer (or start) gives no label; the other look-ups may still work.
      if (e instanceof GitError) return null;
      throw e;
    }
  };
  const gitDir = git(["rev-parse", "--absolute-git-dir"]);
  if (gitDir === null) return null;
  const file = (relative: string) => gitDirFile(gitDir, relative);
  const ref = (name: string) => git(["rev-parse", "--quiet", "--verify", `${name}^{commit}`]);
  return { gitDir, stopped: stoppedCommand(gitDir), git, file, ref };
}

/** The labels Git 2.44+ would pass, worded so that a rebase says which side is which. */
function labelsFromRepository(given: GivenLabels): Labels | null {
  if (given.virtualBase) return null;
  const probe = makeProbe();
  if (probe === null) return null;
  if (isInnerMerge(given)) {
    return { base: "common ancestor of the merge bases", ours: "Temporary merge branch 1", theirs: "Temporary merge branch 2" };
  }
  const command = parentGitCommand();
  const sub = command?.sub;
  const stopped = probe.stopped;
  if (sub === "am" && stopped !== "rebase-apply") return amLabels(probe);
  if (sub === "merge") return mergeLabels(probe, command!.args);
  if (sub === "pull" && stopped !== "rebase-merge" && stopped !== "rebase-apply" && stopped !== "am") return mergeLabels(probe, []);
  if (sub === "cherry-pick") return pickLabels(probe, "pick", command!.args);
  if (sub === "revert") return pickLabels(probe, "revert", command!.args);
  if (sub === "stash") return { base: "Stash base", ours: "Updated upstream", theirs: "Stashed changes" };
  if (sub === "merge-tree") return mergeTreeLabels(probe, command!.args);
  // rebase (either backend), or checkout -m / --conflict recreating a conflict of a stopped command.
  switch (stopped) {
    case "rebase-merge":
      return rebaseMergeLabels(probe);
    case "rebase-apply":
      return rebaseApplyLabels(probe);
    case "am":
      return amLabels(probe);
    case "cherry-pick":
      return pickLabels(probe, "pick", []);
    case "revert":
      return pickLabels(probe, "revert", []);
    case "merge":
      return mergeLabels(probe, []);
    default:
      return null;
  }
}

/** A criss-cross inner merge gets %L = size + 2 per level; its labels are Git's own. */
function isInnerMerge(given: GivenLabels): boolean {
  if (given.markerSize === undefined || given.markerSize <= 7 || given.path === undefined) return false;
  return given.markerSize > (markerSizeOf({ top: process.cwd() }, given.path) ?? 7);
}

/** `abbrev (subject)` of a commit, as Git words it. */
function describe(probe: Probe, commit: string): string {
  const out = probe.git(["log", "-1", "--no-walk", "--format=%h%x00%s", commit]);
  if (out === null) return commit.slice(0, 7);
  const [abbrev, subject] = out.split("\0");
  return clean(`${abbrev} (${subject})`);
}

const clean = oneLine;

function rebaseMergeLabels(probe: Probe): Labels | null {
  // The sequencer appends each command to `done` before it runs it.
  const done = probe.file("rebase-merge/done") ?? "";
  const last = done.trimEnd().split("\n").reverse().find((l) => /^[a-z]+ [0-9a-f]{4,}/.test(l));
  const commit = last?.split(" ")[1] ?? probe.ref("REBASE_HEAD");
  if (!commit) return null;
  return replayLabels(probe, commit);
}

function rebaseApplyLabels(probe: Probe): Labels | null {
  const commit = probe.file("rebase-apply/original-commit")?.trim() || probe.ref("REBASE_HEAD");
  if (!commit) return null;
  return { ...replayLabels(probe, commit), base: "constructed fake ancestor" };
}

function replayLabels(probe: Probe, commit: string): Labels {
  const it = describe(probe, commit);
  return { base: `parent of ${it}`, ours: UPSTREAM, theirs: `${it} (commit being replayed)` };
}

function amLabels(probe: Probe): Labels {
  const subject = patchSubject(probe.gitDir) ?? "the patch";
  return { base: "constructed fake ancestor", ours: "HEAD", theirs: `${subject} (patch being applied)` };
}

function pickLabels(probe: Probe, kind: "pick" | "revert", args: string[]): Labels | null {
  const commit = sequencerCurrent(probe) ?? probe.ref(kind === "pick" ? "CHERRY_PICK_HEAD" : "REVERT_HEAD") ?? singleRevision(probe, args);
  if (!commit) return null;
  const it = describe(probe, commit);
  if (kind === "pick") return { base: `parent of ${it}`, ours: "HEAD", theirs: `${it} (commit being cherry-picked)` };
  return { base: it, ours: "HEAD", theirs: `parent of ${it} (reverting it)` };
}

/** A multi-commit cherry-pick or revert keeps its remaining list, current first, in sequencer/todo. */
function sequencerCurrent(probe: Probe): string | null {
  const todo = probe.file("sequencer/todo");
  const first = todo?.split("\n").find((l) => /^[a-z]+ [0-9a-f]{4,}/.test(l));
  return first ? probe.ref(first.split(" ")[1]) : null;
}

function singleRevision(probe: Probe, args: string[]): string | null {
  const revs = args.filter((a) => !a.startsWith("-"));
  return revs.length === 1 ? probe.ref(revs[0]) : null;
}

function mergeLabels(probe: Probe, args: string[]): Labels {
  // `git merge` exports GITHEAD_<sha>=<name as typed> for the merge machinery to label with.
  const named = Object.entries(process.env).filter(([k]) => /^GITHEAD_[0-9a-f]{40,64}$/.test(k));
  let theirsCommit: string | null = null;
  let theirs: string | null = null;
  if (named.length > 0) {
    theirsCommit = named[0][0].slice("GITHEAD_".length);
    theirs = named.map(([, v]) => v ?? "").join(", ");
  } else {
    const revs = args.filter((a) => !a.startsWith("-"));
    theirsCommit = revs.length === 1 ? probe.ref(revs[0]) : probe.ref("MERGE_HEAD");
    theirs = revs.length === 1 ? revs[0] : mergeMsgName(probe) ?? (theirsCommit ? describe(probe, theirsCommit) : null);
  }
  return { base: mergeBaseLabel(probe, "HEAD", theirsCommit), ours: "HEAD", theirs: clean(theirs ?? "theirs") };
}

/** `Merge branch 'topic'` in MERGE_MSG, for checkout -m after a conflicted merge. */
function mergeMsgName(probe: Probe): string | null {
  const first = probe.file("MERGE_MSG")?.split("\n")[0] ?? "";
  const m = /^Merge (?:remote-tracking )?(?:branch|tag|commit) '([^']+)'/.exec(first);
  return m ? m[1] : null;
}

function mergeTreeLabels(probe: Probe, args: string[]): Labels | null {
  const revs = args.filter((a) => !a.startsWith("-"));
  if (revs.length !== 2) return null;
  return { base: mergeBaseLabel(probe, revs[0], probe.ref(revs[1])), ours: clean(revs[0]), theirs: clean(revs[1]) };
}

function mergeBaseLabel(probe: Probe, ours: string, theirs: string | null): string {
  if (!theirs) return "base";
  const bases = probe.git(["merge-base", "--all", ours, theirs]);
  if (bases === null || bases === "") return "empty tree";
  const list = bases.split("\n");
  if (list.length > 1) return "merged common ancestors";
  return probe.git(["rev-parse", "--short", list[0]]) ?? list[0].slice(0, 7);
}

// ---- which git command called us ----

export interface GitCommand {
  sub: string;
  args: string[];
}

/** The nearest `git <subcommand>` among our ancestors (Git runs drivers through `sh -c`). */
export function parentGitCommand(start = process.ppid, read: (pid: number) => { argv: string[]; ppid: number } | null = readProcess): GitCommand | null {
  let pid = start;
  for (let depth = 0; depth < 6 && pid > 1; depth++) {
    const p = read(pid);
    if (p === null) return null;
    const command = gitSubcommand(p.argv);
    if (command !== null) return command;
    pid = p.ppid;
  }
  return null;
}

/** `git -c x=y -C dir merge topic` -> { sub: "merge", args: ["topic"] }; null for other programs. */
export function gitSubcommand(argv: string[]): GitCommand | null {
  if (argv.length === 0 || !/^git(\.exe)?$/.test(basename(argv[0]))) return null;
  let i = 1;
  while (i < argv.length && argv[i].startsWith("-")) {
    i += argv[i] === "-c" || argv[i] === "-C" ? 2 : 1;
  }
  return i < argv.length ? { sub: argv[i], args: argv.slice(i + 1) } : null;
}

function readProcess(pid: number): { argv: string[]; ppid: number } | null {
  try {
    const argv = readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0");
    if (argv[argv.length - 1] === "") argv.pop();
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    // The command name in field 2 may hold spaces and parentheses: parse after the last ')'.
    const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
    return { argv, ppid };
  } catch {
    return readProcessWithPs(pid);
  }
}

/** Systems without /proc (macOS): `ps` gives the arguments space-joined, enough for our needs. */
function readProcessWithPs(pid: number): { argv: string[]; ppid: number } | null {
  const r = spawnSync("ps", ["-o", "ppid=", "-o", "args=", "-p", String(pid)], { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] });
  const m = r.status === 0 ? /^\s*(\d+)\s+(.*)$/.exec(r.stdout.trim()) : null;
  return m ? { ppid: Number(m[1]), argv: m[2].split(/\s+/) } : null;
}
