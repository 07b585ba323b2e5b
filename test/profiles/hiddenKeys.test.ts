// Keys below a secret place, gathered from documents, and typed text that spells one (a
// selector a message would repeat).

import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { parseJson } from "../../src/formats/parseJson";
import { hiddenKeysIn, spellsHiddenKey } from "../../src/profiles/hiddenKeys";
import { profileNamed } from "../../src/profiles/table";
import { overlayOf } from "../../src/profiles/overlay";
import { token, tokenState } from "../support/secretKeys";

const documentOf = (text: string) => parseJson(text).value;
const keysOf = (tokens: readonly string[]) => hiddenKeysIn(profileNamed("json"), [documentOf(tokenState(Object.fromEntries(tokens.map((t) => [t, { scope: "read" }]))))]);

describe("hidden keys", () => {
  it("are the keys a secret place is keyed by, and token-long keys below them; not the names leading to it, nor short field names", () => {
    const keys = keysOf([token(1), "k3Y9"]);
    expect(keys.tokens).toEqual([token(1).toLowerCase()]);
    expect([...keys.short]).toEqual(["k3y9"]);
    const nested = hiddenKeysIn(profileNamed("json"), [documentOf(JSON.stringify({ tokens: { team: { [token(2)]: { scope: "x" } } } }))]);
    expect(nested.tokens).toEqual([token(2).toLowerCase()]);
    expect([...nested.short]).toEqual(["team"]);
  });

  it("below an element of a keyed array named like a secret, by the element's identity as merge paths name it", () => {
    const doc = documentOf(JSON.stringify({ env: [{ name: "DB_PASSWORD", data: { [token(3)]: 1 } }, { name: "region", data: { [token(4)]: 1 } }] }));
    const keyed = profileNamed("json", overlayOf({ keyedArrays: [{ pattern: ["env"], field: "name" }] }));
    expect(keyed.shownPath(["env", '[name="DB_PASSWORD"]', "data", token(3)])[3]).not.toBe(token(3));
    expect(hiddenKeysIn(keyed, [doc]).tokens).toEqual([token(3).toLowerCase()]);
  });

  it("typed text spells a token whole, escaped, quoted, in another case or with a typo (property)", () => {
    const tokenLike = fc.stringMatching(/^[A-Za-z0-9_+=-]{16,24}$/);
    const spelling = fc.constantFrom(
      (t: string) => `/tokens/${t}`,
      (t: string) => `tokens.${t}`,
      (t: string) => `x${t}0`,
      (t: string) => `[id="${t}"]`,
      (t: string) => t.toUpperCase(),
      (t: string) => t.slice(0, -1),
      (t: string) => t.slice(1),
      (t: string) => `${t.slice(0, 10)}-${t.slice(10)}`,
      (t: string) => `${t.slice(0, 10)}~1${t.slice(10)}`,
    );
    fc.assert(
      fc.property(fc.uniqueArray(tokenLike, { minLength: 1, maxLength: 3 }), spelling, (tokens, spell) => {
        expect(spellsHiddenKey(spell(tokens[0]), keysOf(tokens))).toBe(true);
      }),
    );
  });

  it("a short key counts whole, between characters that cannot belong to it; ordinary words do not count", () => {
    const keys = keysOf(["k3Y9", "bo@x.io"]);
    for (const typed of ["/tenants/k3Y9", '/tenants/[id="k3Y9"]', "/tenants/'K3Y9'", "/tenants/k3Y9,", "tokens.bo@x.io"]) expect(spellsHiddenKey(typed, keys), typed).toBe(true);
    for (const typed of ["/tenants/k3Y90", "/tenants/scope", "/tenants/acme/plan", "dev/app9"]) expect(spellsHiddenKey(typed, keys), typed).toBe(false);
  });
});
