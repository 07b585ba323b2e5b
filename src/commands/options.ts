// Option parsers the commands share (commander calls them with the option's text).

import { InvalidArgumentError } from "commander";

export function positiveInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0) throw new InvalidArgumentError("expected a positive integer");
  return n;
}

/** `--nixops-version`: NixOps' major version, 1 or 2. */
export function nixopsMajor(value: string): number {
  if (value !== "1" && value !== "2") throw new InvalidArgumentError("expected 1 or 2");
  return Number(value);
}
