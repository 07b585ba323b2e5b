// A state whose secrets are keys, not values: a map keyed by the token itself, as a service
// registry or a webhook list is often written (`"tokens": {"<token>": {"scope": ...}}`).

export interface TokenGrant {
  scope: string;
}

/** A document with a public tenant list and a `tokens` map keyed by each token. */
export function tokenState(tokens: Record<string, TokenGrant>): string {
  return JSON.stringify({ tenants: [{ id: "acme", plan: "pro" }], tokens }, null, 2) + "\n";
}

/** A token no other text of the test holds by chance. */
export function token(n: number | string): string {
  return `ghp_zq${n}Xk7Vb2Nw9Rt4Ys`;
}
