// Two whole files between conflict markers, as text: taking either side gives that side's
// bytes exactly (a side without a final newline gets one, or the marker would join its line).

import type { Markers } from "../renderDocument";

/** `texts` are base, ours, theirs; the base is shown only in the diff3 styles. */
export function wholeFileConflictText(texts: readonly string[], markers: Markers): string {
  const [base, ours, theirs] = texts;
  const label = (mark: string, text: string) => mark.repeat(markers.size) + (text ? " " + text : "") + "\n";
  const body = (t: string) => (t === "" || t.endsWith("\n") ? t : t + "\n");
  let out = label("<", markers.ours) + body(ours);
  if (markers.style !== "merge") out += label("|", markers.base) + body(base);
  return out + "=".repeat(markers.size) + "\n" + body(theirs) + label(">", markers.theirs);
}
