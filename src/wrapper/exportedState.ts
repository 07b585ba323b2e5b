// The state nixops exported, written back in NixOps' own layout (sorted keys, 2-space indent,
// ASCII escapes), keeping the item separator the committed file already had (Python 2's ", "
// or Python 3's ","), so that a file never changes layout just because another version ran.
// Whether the state changed is decided on values, not text: NixOps 2.0 writes embedded JSON
// such as `keys` in a new key order on every deploy, and that alone is no change.

import { isObject, valuesEqual, type JsonObject, type JsonValue } from "../core/values";
import { canonicalText, decodeEmbedded, detectSeparators, isNixopsShaped } from "../formats/nixopsExport";
import { JsonParseError, parseJson } from "../formats/parseJson";

export class BadExport extends Error {}

/** An export that lacks deployments the import gave nixops (checkNoDeploymentDropped). */
export class DroppedDeployments extends BadExport {
  constructor(
    message: string,
    /** The deployments it lacks, for messages ("shared-db (8e2f...)"). */
    readonly names: string,
  ) {
    super(message);
  }
}

function parseExport(text: string): JsonObject {
  let value: JsonValue;
  try {
    value = parseJson(text).value;
  } catch (e) {
    if (e instanceof JsonParseError) throw new BadExport(`nixops export printed invalid JSON (${e.message})`);
    throw e;
  }
  if (!isObject(value) || !isNixopsShaped(value)) throw new BadExport("nixops export printed JSON that is not a NixOps export");
  return value;
}

export interface RenderedExport {
  doc: JsonObject;
  /** The state file's new text. */
  text: string;
}

/**
 * The export parsed and re-rendered in NixOps layout, with the separators of the previous file
 * if it had any; `adjust` changes the parsed export first (the committed form of nixExprs).
 */
export function renderExport(exported: string, previous: string | null, adjust?: (doc: JsonObject) => void): RenderedExport {
  const doc = parseExport(exported);
  adjust?.(doc);
  const separators = (previous !== null ? detectSeparators(previous) : null) ?? detectSeparators(exported) ?? "py3";
  return { doc, text: canonicalText(doc, separators) };
}

export interface DeploymentChange {
  uuid: string;
  name: string;
  change: "added" | "removed" | "changed";
}

/**
 * Deployments whose state differs between two exports, compared as values: embedded JSON by
 * its decoded value (both documents get their JSON strings decoded, which renders the same).
 */
export function changedDeployments(before: JsonObject | null, now: JsonObject): DeploymentChange[] {
  const old: JsonObject = before ?? new Map();
  decodeEmbedded(old);
  decodeEmbedded(now);
  const name = (d: JsonValue | undefined, uuid: string) => {
    const n = isObject(d) ? d.get("name") : undefined;
    return typeof n === "string" ? n : uuid;
  };
  const changes: DeploymentChange[] = [];
  for (const [uuid, d] of now) {
    if (!old.has(uuid)) changes.push({ uuid, name: name(d, uuid), change: "added" });
    else if (!valuesEqual(old.get(uuid) as JsonValue, d)) changes.push({ uuid, name: name(d, uuid), change: "changed" });
  }
  for (const [uuid, d] of old) if (!now.has(uuid)) changes.push({ uuid, name: name(d, uuid), change: "removed" });
  return changes;
}

/** "prod changed, dev added", as messages name what a run changed. */
export function changesText(changes: readonly DeploymentChange[]): string {
  return changes.map((c) => `${c.name} ${c.change}`).join(", ");
}

/**
 * Refuses an export that lacks a deployment nixops was given by the import, unless the run was
 * `nixops delete` (the one subcommand that removes one): such an export did not read this run's
 * statefile (a NixOps 2 network with another `storage`), or lost part of it, and written, it
 * would wipe those deployments from the state file.
 */
export function checkNoDeploymentDropped(imported: JsonObject | null, exported: JsonObject, subcommand: string | null): void {
  if (imported === null || subcommand === "delete") return;
  const dropped = [...imported.keys()].filter((uuid) => !exported.has(uuid));
  if (dropped.length === 0) return;
  const named = dropped.map((uuid) => {
    const d = imported.get(uuid);
    const name = isObject(d) ? d.get("name") : undefined;
    return typeof name === "string" ? `${name} (${uuid})` : uuid;
  });
  throw new DroppedDeployments(
    `nixops export --all lacks ${dropped.length === 1 ? "the deployment" : "the deployments"} ${named.join(", ")}, which the import gave it, although only nixops delete removes one ` +
      `(does this network keep its state elsewhere than the statefile, a NixOps 2 storage setting?)`,
    named.join(", "),
  );
}
