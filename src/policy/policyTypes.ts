// What a repository's policy file says, once read and checked (see the README, "Policy file").

import type { PathPattern } from "../profiles/pathPattern";
import type { KeyedArrayRule, ProfileName } from "../profiles/overlay";

export type { KeyedArrayRule } from "../profiles/overlay";

export const POLICY_FILE_NAME = ".statefile-merge.json";

/** The settings for the files one glob names: an overlay (profiles/overlay.ts) on a profile row. */
export interface PolicyEntry {
  glob: string;
  /** Line of the entry in the policy file, for messages. */
  line: number;
  /** Forced profile; undefined: chosen from the content. */
  profile?: ProfileName;
  keyedArrays: KeyedArrayRule[];
  volatile: { enabled: boolean; add: PathPattern[]; remove: PathPattern[] };
  /** Extra identity attributes by NixOps resource type (plugins' types). */
  identity: Record<string, string[]>;
  secretNames: string[];
}

export interface RepoPolicy {
  /** The policy file's path, as messages name it. */
  file: string;
  /** In file order; the first entry whose glob matches a file applies to it. */
  entries: PolicyEntry[];
}

/** One mistake in a policy file. */
export interface Problem {
  file: string;
  line: number;
  /** "<what is wrong>; <what to do>". */
  message: string;
}

/** "file:line: message", the one-line form for terminals. */
export function formatProblem(p: Problem): string {
  return `${p.file}:${p.line}: ${p.message}`;
}
