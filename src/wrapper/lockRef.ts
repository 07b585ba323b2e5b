// Where the team-wide deploy lock lives: one ref per state file on the shared remote, named
// after the file's path in the repository, e.g. refs/statefile-merge/lock/infra/prod.nixops.json.
// Outside refs/heads and refs/tags, so no clone fetches it and no branch list shows it.

const LOCK_PREFIX = "refs/statefile-merge/lock/";

/** One path component made a valid ref component (see git check-ref-format): odd bytes as %XX. */
function refComponent(name: string): string {
  let out = "";
  for (const byte of Buffer.from(name, "utf8")) {
    const c = String.fromCharCode(byte);
    out += /[A-Za-z0-9._-]/.test(c) ? c : "%" + byte.toString(16).toUpperCase().padStart(2, "0");
  }
  // No leading dot, no "..", no trailing dot or ".lock".
  out = out.replace(/^\./, "%2E").replace(/\.(?=\.)/g, "%2E");
  out = out.replace(/\.$/, "%2E").replace(/\.lock$/, "%2Elock");
  return out;
}

/** The lock ref for a state file at this path relative to the repository top ("/"-separated). */
export function lockRefFor(pathInRepository: string): string {
  return LOCK_PREFIX + pathInRepository.split("/").filter(Boolean).map(refComponent).join("/");
}
