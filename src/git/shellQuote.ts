/** One word for a POSIX shell, single-quoted (git runs driver and filter commands through sh). */
export function shellQuote(word: string): string {
  return "'" + word.replace(/'/g, "'\\''") + "'";
}

/**
 * A word as typed in a shell: quoted only when it needs to be (a command printed for people to
 * copy). A leading "=" is quoted too: zsh reads `=word` as the path of the command `word`.
 */
export function shellWord(s: string): string {
  return /^[A-Za-z0-9_@%+:,./-][A-Za-z0-9_@%+=:,./-]*$/.test(s) ? s : shellQuote(s);
}
