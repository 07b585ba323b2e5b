// Which state file the wrapper works on. Without --state it takes deployments.nixops.json in
// the current directory, but only when that file exists: a missing default usually means the
// wrong directory, and starting from an empty state there would write a stray `{}` file.

import { existsSync } from "node:fs";
import { resolve } from "node:path";
import { WrapperError } from "./errors";

export const DEFAULT_STATE_FILE = "deployments.nixops.json";

/** The file given with --state, or the default one when it exists; else a refusal naming --state. */
export function chooseStateFile(given: string | undefined): string {
  if (given !== undefined) return given;
  if (existsSync(DEFAULT_STATE_FILE)) return DEFAULT_STATE_FILE;
  throw new WrapperError(
    `statefile-merge: no state file given and ${resolve(DEFAULT_STATE_FILE)} does not exist; pass --state FILE ` +
      `(the committed nixops export, or a new file for the first nixops create)`,
  );
}
