// One thing wrong with a state file, at a line and column, and whether `--fix` can mend it.

export interface Problem {
  line: number;
  column: number;
  message: string;
  /** A layout difference `fmt` rewrites away. */
  fixable: boolean;
}

export function problem(line: number, column: number, message: string, fixable = false): Problem {
  return { line, column, message, fixable };
}
