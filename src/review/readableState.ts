// A state file as people should read it in `git log -p` and `git show` (Git's textconv):
// keys sorted, embedded JSON opened up into nested objects (so a re-ordered `keys` blob
// reads the same), and every secret replaced by its short hash, by the same walk as diff.

import { renderDocument } from "../formats/renderDocument";
import { NO_MARKERS, PLAIN_JSON_LAYOUT } from "../formats/plainRendering";
import { DEFAULT_NIXOPS_SETTINGS, nixopsProfile } from "../profiles/nixops";
import { jsonProfile } from "../profiles/json";
import { redactDocument } from "../report/redact";
import { loadState } from "./loadState";
import { isTerraformState } from "../formats/tfstate/detect";
import { tfstateProfile } from "../profiles/tfstate";
import { readableTfstate } from "../tfstate/readableTfstate";

const READABLE = { ...PLAIN_JSON_LAYOUT, sortKeys: true };

export interface ReadableOptions {
  showSecrets?: boolean;
  /** Attribute names to hash besides the built-in ones (a policy file's secretNames). */
  secretNames?: readonly string[];
}

export function readableState(text: string, options: ReadableOptions = {}): string {
  const state = loadState(text);
  if (isTerraformState(state.value)) return readableTfstate(state.value, tfstateProfile([state.value], options.secretNames), options.showSecrets === true);
  const secretNames = options.secretNames ?? [];
  const profile = state.nixops ? nixopsProfile({ ...DEFAULT_NIXOPS_SETTINGS, secretNames }) : jsonProfile(secretNames);
  const shown = redactDocument(state.value, profile, { showSecrets: options.showSecrets === true, openEmbedded: true });
  return renderDocument(shown, READABLE, NO_MARKERS);
}
