// Which tracked files Git actually hands to our drivers, asked of Git itself (`git check-attr`)
// rather than read from attribute files: that covers macros, negations, nested
// .gitattributes, info/attributes and core.attributesFile exactly as Git merges. Two views:
// the work tree's .gitattributes (what merges in this clone use; Git falls back to the index
// when the file is missing) and the index's (what a teammate's fresh clone gets).

import { attributesOf } from "../git/attributes";
import type { DoctorCheck, DoctorContext, Finding } from "./doctor";
import { DRIVER } from "../git/install";

export type DriverKind = "merge" | "diff";

export interface Routing {
  /** Every path in the index, once. */
  tracked: string[];
  worktree: Map<string, Map<string, string>>;
  index: Map<string, Map<string, string>>;
}

/** Several checks need the routing; git is asked once per doctor run (runDoctor's context). */
const routings = new WeakMap<DoctorContext, Routing>();

export function routingOf(ctx: DoctorContext): Routing {
  const known = routings.get(ctx);
  if (known) return known;
  const tracked = [...new Set(ctx.git(["ls-files", "-z"]).stdout.split("\0").filter(Boolean))];
  const repo = { top: ctx.top };
  const routing = {
    tracked,
    worktree: attributesOf(repo, tracked, ["merge", "diff"]),
    index: attributesOf(repo, tracked, ["merge", "diff"], { cached: true }),
  };
  routings.set(ctx, routing);
  return routing;
}

export function routedInWorktree(routing: Routing, path: string, kind: DriverKind): boolean {
  return routing.worktree.get(path)?.get(kind) === DRIVER;
}

export function routedInIndex(routing: Routing, path: string, kind: DriverKind): boolean {
  return routing.index.get(path)?.get(kind) === DRIVER;
}

/** The tracked paths that either view routes to our driver. */
export function routedPaths(routing: Routing, kind: DriverKind): string[] {
  return routing.tracked.filter((p) => routedInWorktree(routing, p, kind) || routedInIndex(routing, p, kind));
}

/** "a, b, c and 4 more": a list short enough for one line. */
export function fewPaths(paths: string[], shown = 3): string {
  const head = paths.slice(0, shown).join(", ");
  return paths.length > shown ? `${head} and ${paths.length - shown} more` : head;
}

function configured(ctx: DoctorContext, key: string): boolean {
  return ctx.git(["config", "--get", key]).status === 0;
}

/** A file routed to a driver that this clone does not configure: Git's line merge (or line diff), silently. */
export const checkRouting: DoctorCheck = (ctx) => {
  const findings: Finding[] = [];
  const routing = routingOf(ctx);
  const merged = routedPaths(routing, "merge");
  if (merged.length > 0 && !configured(ctx, `merge.${DRIVER}.driver`)) {
    findings.push({
      severity: "error",
      check: "routing",
      message: `${fewPaths(merged)} ${merged.length === 1 ? "is" : "are"} marked merge=${DRIVER} (git check-attr) but merge.${DRIVER}.driver is not configured: Git merges ${merged.length === 1 ? "it" : "them"} line by line without a word; run \`statefile-merge install\``,
    });
  }
  const diffed = routedPaths(routing, "diff");
  if (diffed.length > 0 && !configured(ctx, `diff.${DRIVER}.command`) && !configured(ctx, `diff.${DRIVER}.textconv`)) {
    findings.push({
      severity: "error",
      check: "routing",
      message: `${fewPaths(diffed)} ${diffed.length === 1 ? "is" : "are"} marked diff=${DRIVER} (git check-attr) but diff.${DRIVER}.command is not configured: git diff and git log -p show plain line diffs; run \`statefile-merge install\``,
    });
  }
  return findings;
};
