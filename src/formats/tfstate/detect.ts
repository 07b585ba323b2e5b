// Which files are Terraform / OpenTofu state, by content (whatever their name): a top-level
// object with a string `lineage` and a number `serial`, and either a `version` or OpenTofu's
// encryption envelope. Only version 4 is merged structurally.

import { isObject, JsonNumber, type JsonObject, type JsonValue, type Slot } from "../../core/values";

export type TfstateKind =
  /** A version 4 state: `version` 4, `lineage`, `serial` and a `resources` array. */
  | { kind: "v4" }
  /** Version 3 and older, or a version this tool does not know. */
  | { kind: "other-version"; version: string }
  /** OpenTofu's encrypted state: `serial`, `lineage` and an encrypted payload. */
  | { kind: "encrypted" };

/** True for anything with a state's lineage and serial (any version, or encrypted). */
export function isTerraformState(value: Slot): value is JsonObject {
  return tfstateKind(value) !== null;
}

export function tfstateKind(value: Slot): TfstateKind | null {
  if (!isObject(value)) return null;
  if (typeof value.get("lineage") !== "string" || !(value.get("serial") instanceof JsonNumber)) return null;
  if (typeof value.get("encryption_version") === "string" && value.has("encrypted_data")) return { kind: "encrypted" };
  const version = value.get("version");
  if (!(version instanceof JsonNumber)) return null;
  if (version.text === "4" && Array.isArray(value.get("resources"))) return { kind: "v4" };
  return { kind: "other-version", version: version.text };
}

export function lineageOf(value: JsonValue): string | null {
  const lineage = isObject(value) ? value.get("lineage") : undefined;
  return typeof lineage === "string" ? lineage : null;
}

/** The serial as an exact integer (serials are uint64, beyond a float's exact range). */
export function serialOf(value: JsonValue): bigint | null {
  const serial = isObject(value) ? value.get("serial") : undefined;
  return serial instanceof JsonNumber && /^(0|[1-9][0-9]*)$/.test(serial.text) ? BigInt(serial.text) : null;
}
