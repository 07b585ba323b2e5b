// `nixops export --all` of a run's statefile, in the form the state file commits: the text in
// NixOps' layout with the file's own separators, nixExprs relative to the repository top.

import type { JsonObject } from "../core/values";
import { BadExport, renderExport, type RenderedExport } from "./exportedState";
import { committedNixExprs } from "./nixExprsPaths";
import { withStatefile, type Nixops } from "./nixopsCli";
import { runChild } from "./processes";

/** nixops' umask: it creates its statefile (private keys) 0600. Ours is left alone (a clone several users share). */
export const NIXOPS_UMASK = 0o077;

/** What `nixops export --all` prints; BadExport when it fails. Out of Ctrl-C's reach. */
export async function exportState(nixops: Nixops, statefile: string, env: NodeJS.ProcessEnv): Promise<string> {
  const r = await runChild(nixops.executable, withStatefile(nixops, ["export", "--all"], statefile), { env, stdout: "capture", detached: true, umask: NIXOPS_UMASK });
  if (r.status !== 0) throw new BadExport(`nixops export --all failed (exit ${r.status})`);
  return r.stdout.toString("utf8");
}

/** The export as the state file commits it; `previous` is the file's text (its separators), `top` its work tree. */
export function committedExport(exported: string, previous: string | null, top: string | null): RenderedExport {
  const commitForm = top ? (doc: JsonObject) => void committedNixExprs(doc, top) : undefined;
  return renderExport(exported, previous, commitForm);
}
