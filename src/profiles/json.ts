// The generic JSON row of the profile table: objects by key at any depth, arrays one value
// unless the policy file keys them, strings plain. It admits any document, so it comes last.

import type { ProfileRow } from "./profileRow";

export const JSON_ROW: ProfileRow = {
  name: "json",
  recognizes: () => true,
  admits: () => true,
  shape: "JSON",
  kindName: "JSON",
  startsLike: [],
  records: [],
  identity: null,
  volatile: [],
  secretNames: [],
  secretPaths: [],
  secretBlobs: [],
  embeddedJson: [],
  encodeEmbedded: (v) => JSON.stringify(v),
  layout: "json",
};
