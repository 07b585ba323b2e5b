// Reads Git conflict markers back out of a file: where each block is, the labels and marker
// size the user's merge used, and the file as each side would have it (every block replaced
// by its ours, theirs or base section). The driver renders each side as valid JSON, so these
// views parse when the markers are its own.

export interface MarkerBlock {
  /** 1-based line numbers of the opening and closing marker. */
  startLine: number;
  endLine: number;
}

export interface MarkedFile {
  blocks: MarkerBlock[];
  views: { ours: string; theirs: string; base: string | null };
  labels: { ours: string; base: string; theirs: string };
  markerSize: number;
  /** True when a block had a `|||||||` base section (diff3/zdiff3). */
  hasBase: boolean;
  /** A block opened and never closed, or a stray middle/closing marker. */
  malformed: string | null;
}

const OPEN = /^(<{7,})(?: (.*))?$/;

/**
 * The file's conflict blocks, or null when it has none. `size`: the file's conflict-marker-size
 * attribute, tried first (it may be below Git's 7); else, or when blocks of that size are not
 * there, the size the file's first opening marker has.
 */
export function readMarkers(text: string, size?: number): MarkedFile | null {
  return (size ? readBlocks(text, size) : null) ?? readBlocks(text, 0);
}

/** The blocks of markers `size` long (0: as long as the first opening marker). */
function readBlocks(text: string, size: number): MarkedFile | null {
  const newline = text.includes("\r\n") ? "\r\n" : "\n";
  const lines = text.split(/\r?\n/);
  let n = size;
  if (!n) {
    const first = lines.map((l) => OPEN.exec(l)).find((m) => m !== null);
    if (!first) return null;
    n = first[1].length;
  }
  const open = new RegExp(`^<{${n}}(?: (.*))?$`);
  const mid = new RegExp(`^\\|{${n}}(?: (.*))?$`);
  const sep = new RegExp(`^={${n}}$`);
  const close = new RegExp(`^>{${n}}(?: (.*))?$`);
  const out = { ours: [] as string[], theirs: [] as string[], base: [] as string[] };
  const labels = { ours: "", base: "", theirs: "" };
  const blocks: MarkerBlock[] = [];
  let section: "outside" | "ours" | "base" | "theirs" = "outside";
  let start = 0;
  let hasBase = false;
  let malformed: string | null = null;
  lines.forEach((line, i) => {
    if (malformed) return;
    if (section === "outside") {
      const m = open.exec(line);
      if (m) {
        section = "ours";
        start = i + 1;
        labels.ours = m[1] ?? "";
      } else if (mid.test(line) || sep.test(line) || close.test(line)) {
        malformed = `line ${i + 1}: a conflict marker outside any conflict block`;
      } else {
        out.ours.push(line);
        out.theirs.push(line);
        out.base.push(line);
      }
      return;
    }
    const m = mid.exec(line);
    if (m && section === "ours") {
      section = "base";
      hasBase = true;
      labels.base = m[1] ?? "";
    } else if (sep.test(line) && (section === "ours" || section === "base")) {
      section = "theirs";
    } else if (close.test(line) && section === "theirs") {
      labels.theirs = close.exec(line)?.[1] ?? "";
      blocks.push({ startLine: start, endLine: i + 1 });
      section = "outside";
    } else if (open.test(line) || m || sep.test(line) || close.test(line)) {
      malformed = `line ${i + 1}: an unexpected conflict marker inside the block opened on line ${start}`;
    } else {
      out[section].push(line);
    }
  });
  if (!malformed && section !== "outside") malformed = `line ${start}: a conflict block that is never closed`;
  if (blocks.length === 0 && !malformed) return null;
  return {
    blocks,
    views: { ours: out.ours.join(newline), theirs: out.theirs.join(newline), base: hasBase ? out.base.join(newline) : null },
    labels,
    markerSize: n,
    hasBase,
    malformed,
  };
}
