// Git's attribute values for paths (`git check-attr`), in one place: the driver loads this
// (git-crypt filter names, marker sizes) without the rest of the index views.

import type { Repo } from "./indexStages";
import { runGit } from "./run";

/**
 * Git's attribute values for paths, e.g. `merge` -> "statefile"; "unspecified" when unset.
 * `cached` reads the .gitattributes files in the index instead of the work tree's (the view a
 * teammate's fresh clone gets); info/attributes and the global file count in both views.
 */
export function attributesOf(repo: Pick<Repo, "top">, paths: string[], names: string[], options: { cached?: boolean } = {}): Map<string, Map<string, string>> {
  const out = new Map<string, Map<string, string>>();
  if (paths.length === 0) return out;
  const cached = options.cached === true ? ["--cached"] : [];
  const r = runGit(repo.top, ["check-attr", ...cached, "-z", "--stdin", ...names], paths.join("\0") + "\0");
  if (r.status !== 0) return out;
  const fields = r.stdout.toString("utf8").split("\0");
  for (let i = 0; i + 2 < fields.length; i += 3) {
    const [path, name, value] = [fields[i], fields[i + 1], fields[i + 2]];
    if (!out.has(path)) out.set(path, new Map());
    out.get(path)!.set(name, value);
  }
  return out;
}

/** One attribute of one path ("unspecified" when unset); undefined when git cannot tell. */
export function attributeOf(repo: Pick<Repo, "top">, path: string, name: string): string | undefined {
  return attributesOf(repo, [path], [name]).get(path)?.get(name);
}

/** The conflict-marker-size attribute of a path, when set to a positive integer. */
export function markerSizeOf(repo: Pick<Repo, "top">, path: string): number | null {
  const n = Number(attributeOf(repo, path, "conflict-marker-size"));
  return Number.isInteger(n) && n > 0 ? n : null;
}
