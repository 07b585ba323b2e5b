// Keys below a secret place, gathered from documents and hidden in free text (a message that
// repeats a selector as typed).

import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { parseJson } from "../../src/formats/parseJson";
import { hiddenKeysIn, withHiddenKeysMasked } from "../../src/profiles/hiddenKeys";
import { profileNamed } from "../../src/profiles/table";
import { hashSecret } from "../../src/profiles/secrets";
import { token, tokenState } from "../support/secretKeys";

const documentOf = (text: string) => parseJson(text).value;

describe("hidden keys", () => {
  it("are the keys below a secret place, not the names leading to it nor other keys", () => {
    const doc = documentOf(tokenState({ [token(1)]: { scope: "read" }, [token(2)]: { scope: "admin" } }));
    const keys = hiddenKeysIn(profileNamed("json"), [doc]);
    expect(keys.has(token(1)) && keys.has(token(2))).toBe(true);
    expect(keys.has("tokens") || keys.has("tenants") || keys.has("acme")).toBe(false);
  });

  it("are hidden wherever they stand on their own in a text, never inside a longer word (property)", () => {
    const word = fc.stringMatching(/^[A-Za-z0-9_-]{6,20}$/);
    fc.assert(
      fc.property(fc.uniqueArray(word, { minLength: 1, maxLength: 4 }), fc.constantFrom("/", ".", " (", "'", ""), (tokens, sep) => {
        const doc = documentOf(tokenState(Object.fromEntries(tokens.map((t) => [t, { scope: "read" }]))));
        const keys = hiddenKeysIn(profileNamed("json"), [doc]);
        const text = `select ${tokens.map((t) => `/tokens${sep === "" ? "/" : sep}${t}`).join(", ")} has no conflict`;
        const masked = withHiddenKeysMasked(text, keys);
        for (const t of tokens) {
          // Gone, unless it survives only as part of another (longer) token's hash-free text.
          const standalone = new RegExp(`(?<![A-Za-z0-9])${t.replace(/[-]/g, "\\-")}(?![A-Za-z0-9])`);
          expect(standalone.test(masked)).toBe(false);
        }
        expect(masked).toContain(hashSecret(tokens[0]));
      }),
    );
  });

  it("a key inside a longer word of letters and digits is left alone", () => {
    const keys = new Set(["abc123"]);
    expect(withHiddenKeysMasked("xabc123 abc123y /abc123/", keys)).toBe(`xabc123 abc123y /${hashSecret("abc123")}/`);
  });
});
