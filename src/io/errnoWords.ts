// A file system error as people read it in a one-line message ("no such file"), not Node's
// code or its message with the call's name in it.

const WORDS: Record<string, string> = {
  ENOENT: "no such file",
  EISDIR: "a directory",
  ENOTDIR: "a path through something that is not a directory",
  EACCES: "permission denied",
  EPERM: "not permitted",
  ELOOP: "a loop of symbolic links",
  EROFS: "a read-only file system",
  ENOSPC: "no space left on the device",
};

/** The error in words, else its code, else its message. */
export function errnoWords(e: NodeJS.ErrnoException): string {
  return (e.code !== undefined ? WORDS[e.code] : undefined) ?? e.code ?? e.message;
}
