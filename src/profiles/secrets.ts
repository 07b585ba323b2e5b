// Secrets never reach a terminal or a report: values at secret attribute names, and any text
// holding a PEM block, are replaced by a short hash that still tells two values apart.

import { createHash } from "node:crypto";

// "pass" covers password, passwd, passphrase, robotPass and names like "db-pass": hiding a
// value that was not secret costs nothing (its hash still tells two values apart).
const SECRET_NAME = /(private.?(host)?key|secret|token|pass|credential)/i;
const PEM_BLOCK = /-----BEGIN [A-Z0-9 ]*-----/;

export function isSecretName(name: string, extraNames: readonly string[] = []): boolean {
  return SECRET_NAME.test(name) || extraNames.includes(name);
}

export function looksLikeSecretText(text: string): boolean {
  return PEM_BLOCK.test(text);
}

export function hashSecret(text: string): string {
  return "<secret sha256:" + createHash("sha256").update(text).digest("hex").slice(0, 12) + ">";
}
