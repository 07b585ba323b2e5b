// Keys below a secret place, gathered from documents, and typed text that spells one (a
// selector a message would repeat).

import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { parseJson } from "../../src/formats/parseJson";
import { hiddenKeysIn, holdsHiddenKey } from "../../src/profiles/hiddenKeys";
import { profileNamed } from "../../src/profiles/table";
import { token, tokenState } from "../support/secretKeys";

const documentOf = (text: string) => parseJson(text).value;
const keysOf = (tokens: readonly string[]) => hiddenKeysIn(profileNamed("json"), [documentOf(tokenState(Object.fromEntries(tokens.map((t) => [t, { scope: "read" }]))))]);

describe("hidden keys", () => {
  it("are the keys a secret place is keyed by: not the names leading to it, nor its entries' field names", () => {
    const keys = keysOf([token(1), token(2)]);
    expect([...keys].sort()).toEqual([token(1), token(2)].sort());
  });

  it("typed text holds one whole, as a part, or a token-long one anywhere in it; an ordinary word does not (property)", () => {
    const tokenLike = fc.stringMatching(/^[A-Za-z0-9_+=-]{8,24}$/);
    const wrap = fc.constantFrom((t: string) => t, (t: string) => `/tokens/${t}`, (t: string) => `tokens.${t}`, (t: string) => `x${t}`, (t: string) => `/tokens/${t}0/scope`, (t: string) => `"${t}"`);
    fc.assert(
      fc.property(fc.uniqueArray(tokenLike, { minLength: 1, maxLength: 3 }), wrap, (tokens, typed) => {
        const keys = keysOf(tokens);
        expect(holdsHiddenKey(typed(tokens[0]), keys)).toBe(true);
        expect(holdsHiddenKey("/settings/region/scope", keys)).toBe(tokens.some((t) => "/settings/region/scope".includes(t)));
      }),
    );
  });

  it("a short key counts only whole", () => {
    const keys = new Set(["ab1"]);
    expect(holdsHiddenKey("/x/ab1", keys)).toBe(true);
    expect(holdsHiddenKey("/x/ab12", keys)).toBe(false);
  });
});
