/** One word for a POSIX shell, single-quoted (git runs driver and filter commands through sh). */
export function shellQuote(word: string): string {
  return "'" + word.replace(/'/g, "'\\''") + "'";
}
