// One line saying what a change to a state file did, for `statefile-merge log`:
// "deployed app1, app2; re-created app2; added app3". Values every deploy rewrites are not news.

import type { ResourceDiff, StateDiff } from "./semanticDiff";
import { attributeLabel } from "./attributeChanges";
import { planSummary } from "./tfstate/planDiff";

export function deploySummary(diff: StateDiff): string {
  if (diff.kind === "tfstate") return planSummary(diff.plan);
  if (diff.kind === "json") {
    const changed = diff.changes.map((c) => (c.path.length ? attributeLabel(c.path) : "the document"));
    return changed.length ? `changed ${shortList(changed)}` : "no change";
  }
  const qualify = diff.deployments.length > 1;
  const groups = new Map<string, string[]>();
  const add = (verb: string, name: string) => {
    if (!groups.has(verb)) groups.set(verb, []);
    groups.get(verb)!.push(name);
  };
  let volatileOnly = false;
  for (const d of diff.deployments) {
    const label = d.name ?? d.uuid;
    if (d.change === "added") add("created deployment", label);
    if (d.change === "removed") add("deleted deployment", label);
    if (d.change !== "changed") continue;
    const attrs = d.attributes.filter((a) => !a.volatile).map((a) => attributeLabel(a.path));
    if (attrs.length) add("changed", `${label} ${shortList(attrs)}`);
    if (d.attributes.some((a) => a.volatile)) volatileOnly = true;
    for (const r of d.resources) {
      const name = qualify ? `${label}/${r.name}` : r.name;
      const said = describeResource(r, (verb) => add(verb, name));
      if (!said && r.attributes.length > 0) volatileOnly = true;
    }
  }
  const order = ["created deployment", "deleted deployment", "deployed", "re-created", "added", "removed", "started", "stopped", "changed state of", "changed"];
  const parts = [...groups].sort(([a], [b]) => rank(order, a) - rank(order, b)).map(([verb, names]) => `${verb} ${names.join(", ")}`);
  if (parts.length) return parts.join("; ");
  return volatileOnly ? "no deploy changes (only values every deploy rewrites)" : "no change";
}

function rank(order: string[], verb: string): number {
  const i = order.indexOf(verb);
  return i < 0 ? order.length : i;
}

/** Adds what a resource did under each verb; false when it changed only volatile values. */
function describeResource(r: ResourceDiff, add: (verb: string) => void): boolean {
  if (r.change === "added" || r.change === "removed") {
    add(r.change);
    return true;
  }
  let said = false;
  if (r.deployed) {
    add("deployed");
    said = true;
  }
  if (r.change === "re-created") {
    add("re-created");
    said = true;
  }
  if (r.state) {
    add(r.state.verb === "changed" ? "changed state of" : r.state.verb);
    said = true;
  }
  if (!said && r.attributes.some((a) => !a.volatile)) {
    add("changed");
    said = true;
  }
  return said;
}

function shortList(items: string[]): string {
  return items.length > 4 ? `${items.slice(0, 4).join(", ")} and ${items.length - 4} more` : items.join(", ");
}
