// `nixops --push`: the state commit pushed to the branch's upstream before the team-wide deploy
// lock is released, and, when that could not be done, what the locks remember of the state so
// that they wait exactly until the upstream has it (lock.ts, `unpushed`).

import { realpathSync } from "node:fs";
import { dirname, relative } from "node:path";
import { askGit } from "./gitQuery";
import { gitReason, pushRefusal, remoteGit } from "./remoteGit";
import { trackedUpstream } from "./upstream";

/**
 * A state written under `--push` that may not be on the upstream yet: the file's blob, where it
 * sits in the repository, the upstream's remote-tracking ref and where it stood then (`base`).
 * It is there once a commit the upstream gained since puts that blob at that path, or is the
 * run's own commit replayed by a rebase (`commit`: its author date and subject), whatever was
 * checked out or changed in the file since. An older state the file held before never counts.
 */
export interface PendingPush {
  top: string;
  path: string;
  blob: string;
  upstream: string;
  base: string;
  /** The run's commit as `git log --format=%ad%x09%s --date=raw` shows it, once made. */
  commit?: string;
}

/** What isPushed needs to know of the state file as written now; null when Git cannot say (kept as not pushed). */
export function pendingPush(file: string, top: string): PendingPush | null {
  let real: string;
  try {
    real = realpathSync(file);
  } catch {
    return null;
  }
  const realTop = askGit(dirname(real), ["rev-parse", "--show-toplevel"]);
  const blob = askGit(dirname(real), ["hash-object", "--", real]);
  const upstream = askGit(top, ["rev-parse", "--symbolic-full-name", "@{upstream}"]);
  const base = upstream ? askGit(top, ["rev-parse", "--verify", "-q", upstream]) : null;
  if (realTop === null || blob === null || !upstream || !base) return null;
  return { top: realTop, path: relative(realTop, real).split("\\").join("/"), blob, upstream, base };
}

/** The run's commit (HEAD, just made) as isPushed knows it again after a rebase. */
export function commitIdentity(top: string): string | null {
  return askGit(top, ["log", "-1", "--format=%ad%x09%s", "--date=raw", "HEAD"]);
}

/** True once the upstream, as this clone last saw it, gained the pending state since `base`. */
export function isPushed(p: PendingPush): boolean {
  const range = `${p.base}..${p.upstream}`;
  const found = askGit(p.top, ["log", "-1", "--format=%H", `--find-object=${p.blob}`, range, "--", p.path]);
  if (found) return true;
  if (p.commit === undefined) return false;
  // Rebased onto a teammate's state (the file merged again: another blob), the commit keeps its author date and subject.
  const commits = askGit(p.top, ["log", "--format=%ad%x09%s", "--date=raw", range, "--", p.path]);
  return commits !== null && commits.split("\n").includes(p.commit);
}

/** The command that pushes HEAD to the branch's upstream, whatever push.default and pushRemote say. */
export function pushCommand(upstream: { remote: string; merge: string }): string[] {
  return ["git", "push", upstream.remote, `HEAD:${upstream.merge}`];
}

/**
 * Before a `--push` run: why it could not push what it commits (no branch, no upstream, or
 * commits of the branch's own the upstream lacks, which the push would take along unasked),
 * or null.
 */
export function pushProblem(top: string): string | null {
  if (askGit(top, ["symbolic-ref", "-q", "HEAD"]) === null) return "HEAD is detached; check out a branch (git switch BRANCH)";
  if (trackedUpstream(top) === null) return "the branch tracks no branch of a remote; set one (git branch -u REMOTE/BRANCH)";
  const ahead = Number(askGit(top, ["rev-list", "--count", "@{upstream}..HEAD"]) ?? "0");
  if (ahead > 0) return `the branch has ${ahead} commit${ahead === 1 ? "" : "s"} its upstream lacks, which the push would take along; push ${ahead === 1 ? "it" : "them"} first`;
  return null;
}

/**
 * `--push`: the commit just made, pushed to the branch's upstream, before the team-wide lock
 * is released (a teammate's next run then starts from it). Null when it worked, else why not:
 * the remote's refusal as git reports it (`[rejected] (fetch first)`, a hook's decline).
 */
export function pushToUpstream(top: string): string | null {
  const upstream = trackedUpstream(top);
  if (upstream === null) return "the branch tracks no branch of a remote";
  const r = remoteGit(top, ["push", "--porcelain", upstream.remote, `HEAD:${upstream.merge}`]);
  const refusal = pushRefusal(r);
  if (r.status === 0 && refusal === null) return null;
  return refusal?.[2] ?? gitReason(r);
}
