// "Who deployed what, when": for each commit in a range that changed a state file, the
// deploy summary of that change. Reads history through git; the summarising is pure.

import { commitsInRange, changedPaths, fileAt, type CommitInfo } from "../git/stateHistory";
import type { Repo } from "../git/indexStages";
import { declaredStateFiles } from "../view/stateFiles";
import { fileViewsIn, type FileView } from "../view/fileView";
import { diffTexts, UnreadableSide } from "./diffTexts";
import { deploySummary } from "./deploySummary";

export interface LoggedChange {
  path: string;
  summary: string;
}

export interface LoggedCommit extends CommitInfo {
  changes: LoggedChange[];
}

export interface LogRequest {
  range: string[];
  /** Repository paths to follow; empty: every state file. */
  paths: string[];
  firstParent: boolean;
  maxCount?: number;
}

function summarise(repo: Repo, commit: CommitInfo, path: string, mustCount: boolean, view: FileView): LoggedChange | null {
  const before = commit.parents.length ? fileAt(repo, commit.parents[0], path) : null;
  const after = fileAt(repo, commit.hash, path);
  try {
    const { diff, profile } = diffTexts(before, after, view);
    // An undeclared JSON file counts only when the view reads it as a kind of state.
    if (!mustCount && profile.row.records.length === 0) return null;
    return { path, summary: deploySummary(diff) };
  } catch (e) {
    if (!(e instanceof UnreadableSide)) throw e;
    const what = e.problem === "not valid JSON" ? "not readable as JSON" : e.problem;
    return mustCount ? { path, summary: `${what} (${e.side} version, line ${e.reason.line})` } : null;
  }
}

export function deployLog(repo: Repo, request: LogRequest): LoggedCommit[] {
  const commits = commitsInRange(repo, request.range, request.paths, { firstParent: request.firstParent, maxCount: request.maxCount });
  const out: LoggedCommit[] = [];
  // The file view, made once per path however many commits changed it.
  const views = new Map<string, FileView>();
  const viewOf = fileViewsIn(repo.top); // the policy file, read once for the whole log
  const viewFor = (path: string): FileView => {
    let found = views.get(path);
    if (!found) views.set(path, (found = viewOf(path)));
    return found;
  };
  for (const commit of commits) {
    const changed = changedPaths(repo, commit);
    const followed = request.paths.length ? changed.filter((p) => request.paths.includes(p)) : changed;
    const declared = declaredStateFiles(repo, followed);
    const changes: LoggedChange[] = [];
    for (const path of followed) {
      const named = declared.has(path) || request.paths.length > 0;
      if (!named && !/\.json$/i.test(path)) continue;
      const change = summarise(repo, commit, path, named, viewFor(path));
      if (change) changes.push(change);
    }
    if (changes.length) out.push({ ...commit, changes });
  }
  return out;
}
