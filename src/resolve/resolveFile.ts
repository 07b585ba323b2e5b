// `resolve`: re-merge a conflicted file from its index stages, settle the selected conflicts
// to one side, keep every conflict the work tree has already settled, and leave the rest as
// markers. It never silently drops an edit: a work-tree copy changed beyond its conflicts is
// refused unless forced, and any copy it cannot prove is reproduced is backed up first.

import { copyFileSync, existsSync, mkdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join } from "node:path";
import type { Path } from "../core/values";
import type { Conflict, Side } from "../core/merged";
import { pathKey } from "../core/policy";
import { DEFAULT_MARKERS, type Markers } from "../formats/renderDocument";
import type { MergeResult } from "../pipeline/mergeTexts";
import { conflictStyleFromConfig } from "../git/gitConfig";
import { attributeOf, markerSizeOf } from "../git/attributes";
import { DRIVER } from "../git/install";
import { gitPath, readStages, type Repo } from "../git/indexStages";
import { writeFileAtomic } from "../io/atomicWrite";
import { hiddenKeysIn, spellsHiddenKey, type HiddenKeys } from "../profiles/hiddenKeys";
import { hashSecret } from "../profiles/secrets";
import { contentStages, driverSettingsFor, PolicyProblem, remerge } from "./remerge";
import { isPrefix, SelectorError, selectorPath } from "./selectors";
import { readWorkTree, settlementsOf, type WorkTreeView } from "./workTree";
import { workTreeDrift } from "./workTreeDrift";

export class ResolveRefusal extends Error {}

export interface ResolveRequest {
  path: string;
  side: Side;
  selectors: string[];
  /** Overwrite a work-tree copy edited beyond its conflicts (a backup is kept). */
  force?: boolean;
  /** Refusals name places by their keys, also below a secret place (else by their hashes). */
  showSecrets?: boolean;
}

export interface ResolveOutcome {
  /** Conflicts settled now, to the requested side. */
  settledNow: Conflict[];
  /** Conflicts still written as markers. */
  remaining: Conflict[];
  result: Extract<MergeResult, { kind: "merged" }>;
  /** Where the previous work-tree copy was saved, when it was. */
  backup: string | null;
}

/** Labels, marker size and style: the user's own, read back from the markers in the file. */
function markersFor(repo: Repo, attributeSize: number | null, view: WorkTreeView | null): Markers {
  const configured = conflictStyleFromConfig(repo.top);
  const marked = view?.marked;
  if (marked) {
    const style = marked.hasBase ? (configured === "merge" ? "diff3" : configured) : "merge";
    return { size: marked.markerSize, ...marked.labels, style };
  }
  return { ...DEFAULT_MARKERS, size: attributeSize ?? DEFAULT_MARKERS.size, style: configured };
}

function backupCopy(repo: Repo, path: string): string {
  // Absolute in a linked worktree: joining it to the top would put the backup in the work tree.
  const dir = gitPath(repo, "statefile-merge/resolve-backups");
  const target = join(dir, `${path}.${new Date().toISOString().replace(/[:.]/g, "-")}`);
  mkdirSync(dirname(target), { recursive: true });
  copyFileSync(join(repo.top, path), target);
  return target;
}

export function resolveFile(repo: Repo, request: ResolveRequest): ResolveOutcome {
  const { path } = request;
  const stages = readStages(repo, path);
  if (!stages) {
    if (!existsSync(join(repo.top, path))) throw new ResolveRefusal(`${path}: no such file in the work tree, nor in conflict in Git's index; name the conflicted state file (statefile-merge conflicts lists them)`);
    throw new ResolveRefusal(`${path} is not in a conflicted state (Git holds no unmerged index entries for it); there is nothing to resolve`);
  }
  const both = contentStages(stages);
  if (!both) {
    const who = stages.ours ? "theirs" : "ours";
    throw new ResolveRefusal(`${path} was deleted in ${who} and changed on the other side; keep it with git add or drop it with git rm`);
  }
  const file = join(repo.top, path);
  if (existsSync(file) && !statSync(file).isFile()) throw new ResolveRefusal(`${path} in the work tree is not a file (a directory?); move it away, then resolve again`);
  const text = existsSync(file) ? readFileSync(file, "utf8") : null;
  // The conflict-marker-size attribute, read once: it finds the blocks and sizes new markers.
  const attributeSize = markerSizeOf(repo, path);
  const view = text === null ? null : readWorkTree(text, attributeSize ?? undefined);
  const markers = markersFor(repo, attributeSize, view);
  let policy;
  try {
    policy = driverSettingsFor(repo, path);
  } catch (e) {
    if (e instanceof PolicyProblem) throw new ResolveRefusal(`${path}: ${e.message}`);
    throw e;
  }
  const settings = { ...policy, markers };

  const first = remerge(both, settings);
  if (first.kind === "fallback") throw new ResolveRefusal(`${path} cannot be merged record by record (${first.reason}); resolve it by hand`);
  // A place in words, keys below a secret place hashed unless secrets are shown.
  const describe = (p: Path) => first.profile.describePath(p, first.documents, request.showSecrets);

  // What the work tree already settled stays settled; hand edits inside a conflict are not ours to replace.
  const { settled: earlier, edited } = settlementsOf(first.conflicts, view);

  // No selector: every conflict still open. A selector may also re-settle one settled before.
  // A typed selector is repeated in messages only when it spells no key below a secret place.
  let hidden: HiddenKeys | null = null;
  const spellsHidden = (text: string) => !request.showSecrets && spellsHiddenKey(text, (hidden ??= hiddenKeysIn(first.profile, first.documents)));
  const wanted = request.selectors.map((s) => {
    try {
      return { text: s, path: selectorPath(s, first.profile, first.documents) };
    } catch (e) {
      if (e instanceof SelectorError && spellsHidden(s)) throw new SelectorError(`the selector ${hashSecret(s)} names no place in ${path}; copy a place as \`statefile-merge conflicts\` lists it`);
      throw e;
    }
  });
  // A key written twice has no side to take: a side's value keeps only the parser's last copy,
  // and the other copy may be a machine still running. Those stay for an editor.
  const selectable = (c: Conflict) => c.kind !== "duplicate";
  const selected = first.conflicts.filter((c) =>
    wanted.length === 0 ? !earlier.has(pathKey(c.path)) && selectable(c) : wanted.some((w) => isPrefix(w.path, c.path)),
  );
  const twice = selected.find((c) => !selectable(c));
  if (twice) {
    throw new ResolveRefusal(
      `${describe(twice.path)} holds a key written twice; no side can be taken without dropping a copy. Edit the file: keep each copy that is a real machine, under its own name`,
    );
  }
  for (const w of wanted) {
    if (first.conflicts.some((c) => isPrefix(w.path, c.path))) continue;
    const shown = first.profile.shownPath(w.path);
    const plain = request.showSecrets || (shown.every((k, i) => k === w.path[i]) && !spellsHidden(w.text) && !w.path.some(spellsHidden));
    // Otherwise only the place, each part that spells a hidden key as its hash.
    const named = plain ? `${w.text} (${describe(w.path)})` : describe(w.path.map((k) => (spellsHidden(k) ? hashSecret(k) : k)));
    const around = first.conflicts.find((c) => isPrefix(c.path, w.path));
    if (around) {
      throw new ResolveRefusal(`${named} lies inside a conflict over the whole of ${describe(around.path)} (${around.kind}); select that instead`);
    }
    throw new ResolveRefusal(`${named} has no conflict in ${path}`);
  }
  const isSelected = new Set(selected.map((c) => pathKey(c.path)));
  const editedElsewhere = edited.find((c) => !isSelected.has(pathKey(c.path)));
  if (editedElsewhere && !request.force) {
    throw new ResolveRefusal(
      `${path}: the conflict at ${describe(editedElsewhere.path)} was edited by hand to a value neither side had; finish it in an editor, or add --force to discard that edit`,
    );
  }

  // A file that no longer reads (a bracket or comma lost in an editor) was edited since the
  // merge: its edits cannot be compared, so it is not replaced unless asked.
  if (view?.unreadable && !request.force) {
    throw new ResolveRefusal(`${path} no longer reads as the merge wrote it (${view.unreadable}): it was edited since the merge; fix it in an editor, or add --force to re-merge from the index (a backup copy is kept)`);
  }
  let backup: string | null = null;
  const skip = (p: Path) => isSelected.has(pathKey(p));
  const drift = workTreeDrift(view, both, { ...settings, settle: (p) => earlier.get(pathKey(p)) }, skip);
  if (!drift.unchanged) {
    if (!request.force && view?.marked && attributeOf(repo, path, "merge") !== DRIVER) {
      // Not the driver's markers: Git's line merge wrote them, and its sides differ from the record merge's.
      throw new ResolveRefusal(
        `${path} holds Git's line-merge conflict blocks (the file is not routed to the driver; statefile-merge doctor says how), which differ from the record-by-record merge${drift.where ? ` at ${describe(drift.where)}` : ""}; add --force to write the record-by-record merge (a backup copy is kept), or settle the blocks in an editor`,
      );
    }
    if (!request.force) {
      const where = drift.where;
      throw new ResolveRefusal(
        `${path} was edited ${where ? `at ${describe(where)} ` : ""}beyond its conflicts since the merge; re-merging from the index would undo that. Commit the edit later, or add --force (a backup copy is kept)`,
      );
    }
  }
  if (text !== null && request.force) backup = backupCopy(repo, path);

  const side = request.side;
  const settledNow = [...selected];
  const settle = (p: Path) => (isSelected.has(pathKey(p)) ? side : earlier.get(pathKey(p)));
  let final = remerge(both, { ...settings, settle });
  // Without a selector every conflict goes to the side, also one that settling others brings
  // out: a deployment in conflict has no name the unique-name rule can read until it is settled.
  // Each round settles at least one more conflict, so this ends; a key written twice stays.
  for (;;) {
    if (final.kind === "fallback") throw new ResolveRefusal(`${path}: re-merge failed (${final.reason})`);
    if (wanted.length > 0) break;
    const brought = final.conflicts.filter((c) => selectable(c) && !isSelected.has(pathKey(c.path)) && !earlier.has(pathKey(c.path)));
    if (brought.length === 0) break;
    for (const c of brought) isSelected.add(pathKey(c.path));
    settledNow.push(...brought);
    final = remerge(both, { ...settings, settle });
  }
  writeFileAtomic(file, final.text);
  return { settledNow, remaining: final.conflicts, result: final, backup };
}
