// The settings diff, git-diff, log and textconv read a state file with: those the repository's
// policy file gives it (secret names, volatile paths, identity attributes), as the merge does.
// Only hiding is at stake when the policy file has a mistake: then every name it lists is hidden.

import { policySettingsFor, readPolicyFile } from "../policy/policyFile";
import { DEFAULT_NIXOPS_SETTINGS, type NixopsSettings } from "../profiles/nixops";

/** The settings of the policy entry for a repository path (the defaults when none matches). */
export function reviewSettingsFor(repoTop: string, path: string): NixopsSettings {
  const lookup = policySettingsFor(repoTop, path);
  if ("problem" in lookup) return { ...DEFAULT_NIXOPS_SETTINGS, secretNames: policySecretNames(repoTop) };
  return lookup.settings.nixops ?? DEFAULT_NIXOPS_SETTINGS;
}

/** The secret names of every policy entry: textconv is handed a temporary file, not a path. */
export function policySecretNames(repoTop: string): string[] {
  const entries = readPolicyFile(repoTop)?.policy.entries ?? [];
  return [...new Set(entries.flatMap((e) => e.secretNames))];
}
