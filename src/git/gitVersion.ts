// The version of git on PATH, and what it means for us: Git 2.44 is the first to expand the
// conflict labels (%S %X %Y) it passes to merge drivers.

export type GitVersion = [number, number, number];

const LABELS_SINCE: GitVersion = [2, 44, 0];

/** `git version 2.39.5` -> [2, 39, 5]; null when no version is in the text. */
export function parseGitVersion(text: string): GitVersion | null {
  const m = /(\d+)\.(\d+)(?:\.(\d+))?/.exec(text);
  return m ? [Number(m[1]), Number(m[2]), Number(m[3] ?? 0)] : null;
}

function older(v: GitVersion, than: GitVersion): boolean {
  for (let i = 0; i < 3; i++) if (v[i] !== than[i]) return v[i] < than[i];
  return false;
}

/** True when this git passes real conflict labels to drivers instead of a literal %S %X %Y. */
export function passesLabels(version: GitVersion): boolean {
  return !older(version, LABELS_SINCE);
}
