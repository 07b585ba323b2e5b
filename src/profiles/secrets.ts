// Secrets never reach a terminal or a report: values at secret attribute names, and any text
// holding a PEM block, are replaced by a short hash that still tells two values apart.

import { createHash } from "node:crypto";

// "pass" covers password, passwd, passphrase, robotPass and names like "db-pass": hiding a
// value that was not secret costs nothing (its hash still tells two values apart). "auth"
// covers a Docker registry's `auth` (user:password in base64), `basicAuth`, `Authorization`
// and `authorizedKeys`, but not `author` or `authority`. "access key" and "connection string"
// cover provider attributes Terraform does not always mark sensitive (an Azure storage
// account's `primary_access_key`, its `primary_connection_string` holding `AccountKey=`).
const SECRET_NAME = /(private.?(host)?key|api.?key|access.?key(?!.?id)|connection.?string|secret|token|pass|credential|auth(?!or(?!i[sz])))/i;
const PEM_BLOCK = /-----BEGIN [A-Z0-9 ]*-----/;

/**
 * A name the shared list or `extraNames` (a policy's secretNames) calls secret. Extra names
 * match without case, and as the last part of a dotted name: `storeKey` covers NixOps'
 * `hcloud.storeKey`.
 */
export function isSecretName(name: string, extraNames: readonly string[] = []): boolean {
  if (SECRET_NAME.test(name)) return true;
  if (extraNames.length === 0) return false;
  const lower = name.toLowerCase();
  return extraNames.some((extra) => {
    const e = extra.toLowerCase();
    return lower === e || lower.endsWith("." + e);
  });
}

export function looksLikeSecretText(text: string): boolean {
  return PEM_BLOCK.test(text);
}

export function hashSecret(text: string): string {
  return "<secret sha256:" + createHash("sha256").update(text).digest("hex").slice(0, 12) + ">";
}

/** Text hashSecret could have written. */
export function isSecretHash(text: string): boolean {
  return /^<secret sha256:[0-9a-f]{12}>$/.test(text);
}
