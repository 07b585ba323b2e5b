// A deploy from a branch that is behind its upstream would start from an older state (and an
// older configuration) than a teammate already pushed. When the deploy lock was taken on the
// remote we fetch the upstream branch first (we are talking to the remote anyway, and the lock
// only helps if we then see the state the last holder pushed); otherwise we compare with the
// upstream as last fetched, without the network.

import { WrapperError } from "./errors";
import { askGit } from "./gitQuery";
import { gitReason, remoteGit } from "./remoteGit";

export interface UpToDateOptions {
  /** Fetch the upstream branch before comparing. */
  fetch: boolean;
  /** Go on when behind, with a notice (--allow-behind). */
  allowBehind: boolean;
}

/**
 * The branch checked out (`branch`, when the caller asked already) and the branch of a remote
 * it tracks (`branch.<name>.remote`, `.merge`), or null.
 */
export function trackedUpstream(top: string, branch = askGit(top, ["symbolic-ref", "--short", "-q", "HEAD"])): { branch: string; remote: string; merge: string } | null {
  if (!branch) return null;
  const remote = askGit(top, ["config", `branch.${branch}.remote`]);
  const merge = askGit(top, ["config", `branch.${branch}.merge`]);
  return remote && merge && remote !== "." ? { branch, remote, merge } : null;
}

/** Refuses when HEAD lacks commits of its upstream; does nothing without a branch or an upstream. */
export function checkUpToDate(top: string, options: UpToDateOptions, notice: (line: string) => void): void {
  const branch = askGit(top, ["symbolic-ref", "--short", "-q", "HEAD"]);
  const upstream = branch ? askGit(top, ["rev-parse", "--symbolic-full-name", "@{upstream}"]) : null;
  if (!branch || !upstream) return; // a detached HEAD or a branch that tracks nothing: nothing to compare with
  const shown = askGit(top, ["rev-parse", "--abbrev-ref", "@{upstream}"]) ?? upstream;
  let when = "as last fetched";
  const tracked = options.fetch ? trackedUpstream(top, branch) : null;
  if (tracked !== null && upstream.startsWith("refs/remotes/")) {
    const r = remoteGit(top, ["fetch", "--quiet", "--no-tags", tracked.remote, `+${tracked.merge}:${upstream}`]);
    if (r.status === 0) when = "fetched just now";
    else notice(`statefile-merge: could not fetch ${shown} (${gitReason(r)}); comparing with it as last fetched`);
  }
  const behind = Number(askGit(top, ["rev-list", "--count", `HEAD..${upstream}`]) ?? "0");
  if (behind === 0) return;
  const commits = `${behind} commit${behind === 1 ? "" : "s"}`;
  if (options.allowBehind) {
    notice(`statefile-merge: branch ${branch} is ${commits} behind ${shown} (${when}); going on anyway (--allow-behind)`);
    return;
  }
  throw new WrapperError(
    `statefile-merge: branch ${branch} is ${commits} behind ${shown} (${when}); pull first (git pull --rebase) ` +
      `so nixops starts from the newest state and configuration, or pass --allow-behind`,
  );
}
