// Which nixops subcommands can change the state or the machines, and so need the team-wide
// deploy lock and an up-to-date branch. Anything not listed as read-only counts as changing:
// an unknown or new subcommand is treated the safe way.

/**
 * Subcommands of NixOps 1.7 and 2.0 that never write the state: they only read it, or act
 * through ssh without recording anything. `check` is not here: NixOps records what it finds
 * (a machine's `state` becomes UP or UNREACHABLE, `sshPinged`), so it writes the state.
 */
const READ_ONLY = new Set([
  "list",
  "info",
  "export",
  "show-option",
  "show-arguments",
  "show-physical",
  "show-console-output",
  "list-generations",
  "backup-status",
  "dump-nix-paths",
  "list-plugins",
  "ssh",
  "ssh-for-each",
  "scp",
  "mount",
]);

/** The subcommand: the first argument that is not an option (none for `--help`, `--version`). */
export function subcommandOf(args: readonly string[]): string | null {
  return args.find((a) => !a.startsWith("-")) ?? null;
}

/** True when the run may change the state or the machines (deploy, create, destroy, check, ...). */
export function changesState(args: readonly string[]): boolean {
  if (args.includes("--help") || args.includes("-h")) return false; // `nixops deploy --help` only prints
  const sub = subcommandOf(args);
  return sub !== null && !READ_ONLY.has(sub);
}
