// How large a policy file may be. The file is committed and read on every merge Git runs, so a
// mistaken or hostile one must be refused at once, not make each merge slow.

/** Bytes of the whole file (1 MiB). */
export const POLICY_MAX_BYTES = 1 << 20;

/** Entries in "files". */
export const POLICY_MAX_ENTRIES = 10_000;

/** Characters of one file glob. */
export const FILE_GLOB_MAX_LENGTH = 1_000;

/** A count as people write it: 10,000. */
export const counted = (n: number): string => n.toLocaleString("en-US");
