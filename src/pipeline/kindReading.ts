// How each codec (ProfileRow.layout) reads three files beyond the JSON parse, in one table like
// KIND_MERGES: the layout the merged file is written in (embedded values decoded where the kind
// holds them), and whether its files can be framed and read record by record before any parse
// (NixOps exports: formats/exportFrames.ts, formats/fastNixopsRead.ts).

import type { Slot } from "../core/values";
import type { ParsedJson } from "../formats/parseJson";
import type { Layout } from "../formats/renderDocument";
import { decodeEmbedded, exportSeparators, nixopsLayout } from "../formats/nixopsExport";
import { detectJsonLayout } from "../formats/jsonLayout";
import { stripBom } from "../formats/bom";
import { PROFILE_TABLE, profileRow } from "../profiles/table";
import type { ProfileName } from "../profiles/overlay";
import type { ProfileRow } from "../profiles/profileRow";

export interface KindReading {
  /** The layout to write the merge in, from base, ours and theirs (ours' first); decodes embedded values in place. */
  layoutOf(values: readonly Slot[], texts: readonly string[], parsed: readonly (ParsedJson | null)[]): Layout;
  /** The files may be framed and read record by record, what all three share cut out first. */
  framed: boolean;
  /**
   * Framed files: the item separator the whole files (base, ours, theirs) vote for, which the
   * layout keeps whatever the cut leaves to read (fewer lines may vote otherwise).
   */
  framedSeparator?: (files: readonly Uint8Array[]) => string;
}

/** NixOps' own layout (Python's separators, as ours writes them), its embedded JSON decoded. */
function nixopsLayoutOf(values: readonly Slot[], texts: readonly string[]): Layout {
  for (const v of values) if (v instanceof Map) decodeEmbedded(v);
  return nixopsLayout(exportSeparators(texts), stripBom(texts[1]).includes("\r\n") ? "\r\n" : "\n");
}

/** Ours' indentation, key spacing and line ends. */
function jsonLayoutOf(_values: readonly Slot[], texts: readonly string[], parsed: readonly (ParsedJson | null)[]): Layout {
  return detectJsonLayout(texts[1], parsed[1]?.spans);
}

export const KIND_READINGS: Readonly<Record<ProfileRow["layout"], KindReading>> = {
  nixops: { layoutOf: nixopsLayoutOf, framed: true, framedSeparator: (files) => nixopsLayout(exportSeparators(files)).itemSeparator },
  json: { layoutOf: jsonLayoutOf, framed: false },
  // Its merge (KIND_MERGES) lays the file out itself; this is for any other reading.
  tfstate: { layoutOf: jsonLayoutOf, framed: false },
};

/**
 * The row whose files are tried framed: the forced one when its codec frames, else (nothing
 * forced) the first row in the table whose codec does; null when none applies.
 */
export function framedRow(forced: ProfileName | undefined): ProfileRow | null {
  const row = forced === undefined ? PROFILE_TABLE.find((r) => KIND_READINGS[r.layout].framed) : profileRow(forced);
  return row !== undefined && KIND_READINGS[row.layout].framed ? row : null;
}
