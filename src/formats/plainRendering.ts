// The two rendering settings every non-merge output shares: no conflict markers (the value
// holds no hunks), and plain 2-space JSON with "\n" line ends for reports and readable views.

import { detectJsonLayout } from "./jsonLayout";
import type { Layout, Markers } from "./renderDocument";

/** Markers for a value without hunks: never written, but renderDocument takes some. */
export const NO_MARKERS: Readonly<Markers> = Object.freeze({ size: 7, ours: "", base: "", theirs: "", style: "merge" });

/** Two-space indent, ": " after keys, "\n" line ends and a final newline; keys in their order. */
export const PLAIN_JSON_LAYOUT: Readonly<Layout> = Object.freeze(detectJsonLayout('{\n  "a": 1\n}\n'));
