// The tfstate codec: read a state's text into values, and write a (merged) state the way
// Terraform and OpenTofu do: json.MarshalIndent(state, "", "  ") plus "\n", Go's escaping,
// the writers' order. Conflict hunks are rendered by the shared renderer, each side with its
// own commas, so taking one side of every hunk still gives a state file.

import { JsonNumber, type Embedded, type Slot } from "../../core/values";
import type { Merged } from "../../core/merged";
import { renderDocument, type Layout, type Markers } from "../renderDocument";
import { NO_MARKERS } from "../plainRendering";
import { parseJson, type ParsedJson } from "../parseJson";
import { detectGoEscaping, goQuote, MODERN_GO, type GoEscaping } from "./goJson";
import { hoistEmptyingHunks } from "./emptySides";
import { detectFlavour, inWriterOrder, type WriterFlavour } from "./writerOrder";

export interface TfstateStyle {
  escaping: GoEscaping;
  flavour: WriterFlavour;
}

export function tfstateLayout(escaping: GoEscaping): Layout {
  return {
    indent: "  ",
    itemSeparator: ",",
    keySeparator: ": ",
    newline: "\n",
    finalNewline: true,
    bom: false,
    sortKeys: false,
    compact: false,
    scalar: (value: string | JsonNumber | boolean | null | Embedded) =>
      value instanceof JsonNumber ? value.text : typeof value === "string" ? goQuote(value, escaping) : JSON.stringify(value),
  };
}

export function readTfstate(text: string): ParsedJson {
  return parseJson(text);
}

/**
 * How to write the result: Go's control escapes as the inputs show them (ours first), else as
 * the newest Terraform version among them implies (Go 1.22 came with 1.8); the field order of
 * the program that wrote them.
 */
export function tfstateStyle(texts: readonly string[], documents: readonly Slot[], terraformVersion: string | null): TfstateStyle {
  let escaping: GoEscaping | null = null;
  for (const t of texts) escaping ??= detectGoEscaping(t);
  escaping ??= terraformVersion !== null && versionBefore(terraformVersion, [1, 8]) ? { shortControlEscapes: false } : MODERN_GO;
  return { escaping, flavour: detectFlavour(documents) };
}

function versionBefore(version: string, [major, minor]: [number, number]): boolean {
  const m = /^(\d+)\.(\d+)/.exec(version);
  if (!m) return false;
  const [a, b] = [Number(m[1]), Number(m[2])];
  return a < major || (a === major && b < minor);
}

/** A merged state (hunks allowed) in the writers' order, each hunk side with its own commas. */
export function inTfstateOrder(merged: Merged, style: TfstateStyle): Merged {
  return hoistEmptyingHunks(inWriterOrder(merged, style.flavour));
}

/** A merged state (hunks allowed) as the writers would write it. */
export function writeTfstate(merged: Merged, style: TfstateStyle, markers: Markers = NO_MARKERS): string {
  return renderDocument(inTfstateOrder(merged, style), tfstateLayout(style.escaping), markers);
}
