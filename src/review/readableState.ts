// A state file as people should read it in `git log -p` and `git show` (Git's textconv):
// keys sorted, embedded JSON opened up into nested objects (so a re-ordered `keys` blob
// reads the same), and every secret replaced by its short hash, by the same walk as diff.

import { renderDocument } from "../formats/renderDocument";
import { NO_MARKERS, PLAIN_JSON_LAYOUT } from "../formats/plainRendering";
import { redactDocument } from "../report/redact";
import { PLAIN_VIEW, type FileView } from "../view/fileView";
import { loadState } from "../view/loadState";
import { readReviewedDocument } from "./reviewedDocument";
import { kindReviewOf } from "./kindReview";

export const READABLE_LAYOUT = { ...PLAIN_JSON_LAYOUT, sortKeys: true };

export interface ReadableOptions {
  showSecrets?: boolean;
  view?: FileView;
}

/** The state as people read it; throws JsonParseError, or NotReviewable (a key written twice, never shown as its last copy; a conflict left in it). */
export function readableState(text: string, options: ReadableOptions = {}): string {
  const { value, profile } = loadState(text, options.view ?? PLAIN_VIEW, readReviewedDocument);
  const own = kindReviewOf(profile.row, [value]).readable;
  if (own) return own(value, profile, options.showSecrets === true);
  const shown = redactDocument(value, profile, { showSecrets: options.showSecrets === true, openEmbedded: true });
  return renderDocument(shown, READABLE_LAYOUT, NO_MARKERS);
}
