// A repository pushed to a forge usually has CI; `statefile-merge verify` there stops a state
// file with conflict markers or a broken merge before it reaches main (docs/ci.md).

import type { DoctorCheck } from "./doctor";

/** A remote URL on GitHub or on a GitLab (gitlab.com or a self-hosted gitlab.* host). */
export function isForgeUrl(url: string): boolean {
  return /github\.com|gitlab/i.test(url);
}

export const checkCiGuard: DoctorCheck = (ctx) => {
  const remotes = ctx.git(["config", "-z", "--get-regexp", "^remote\\..+\\.(url|pushurl)$"]);
  if (remotes.status !== 0) return [];
  const forge = remotes.stdout
    .split("\0")
    .filter(Boolean)
    .map((entry) => ({ remote: entry.slice(0, entry.indexOf("\n")).replace(/^remote\.(.+)\.(url|pushurl)$/, "$1"), url: entry.slice(entry.indexOf("\n") + 1) }))
    .find((r) => isForgeUrl(r.url));
  if (forge === undefined) return [];
  return [
    {
      severity: "hint",
      check: "ci",
      message: `remote ${forge.remote} is on a forge: run \`statefile-merge verify\` in CI so a broken or conflicted state file cannot be merged unnoticed (see docs/ci.md)`,
    },
  ];
};
