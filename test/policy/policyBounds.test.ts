// A committed policy file is read on every merge: past its bounds (size, entries, glob length)
// it is refused with one line naming the file, the line and what to do; within them, reading
// it costs time in proportion to its size.
//
// Before issue 15 reading was quadratic: each key's line was found by scanning its object again
// (10,000 entries took 20 s, 20,000 keyed array paths 110 s) and each repeated key by scanning
// the ones before (20,000 took 19 s). Linear reading is shown by a count of key decodings, not
// by time; the two largest files also carry the runner's 5 s limit (its own timeout, not a
// timed assertion), which they passed in about 1 s on a loaded 2-core machine.

import { describe, expect, it } from "vitest";
import { parsePolicy } from "../../src/policy/parsePolicy";
import { FILE_GLOB_MAX_LENGTH, POLICY_MAX_BYTES, POLICY_MAX_ENTRIES } from "../../src/policy/policyBounds";
import { formatProblem, POLICY_FILE_NAME } from "../../src/policy/policyTypes";

const read = (policy: unknown) => parsePolicy(typeof policy === "string" ? policy : JSON.stringify(policy, null, 2), POLICY_FILE_NAME);

/** `count` entries, one per tenant file, each its own JSON profile. */
function manyEntries(count: number): Record<string, unknown> {
  const files: Record<string, unknown> = {};
  for (let i = 0; i < count; i++) files[`state/tenant-${i}.json`] = { profile: "json" };
  return { files };
}

function lineOf(text: string, needle: string): number {
  const at = text.indexOf(needle);
  if (at < 0 || text.indexOf(needle, at + 1) >= 0) throw new Error(`test case: ${JSON.stringify(needle)} must occur exactly once`);
  return text.slice(0, at).split("\n").length;
}

function expectOneLine(problem: { message: string }): void {
  const line = formatProblem(problem as never);
  expect(line.startsWith(`${POLICY_FILE_NAME}:`)).toBe(true);
  expect(line).not.toContain("\n");
  expect(line.length).toBeLessThan(300);
  expect(problem.message).toMatch(/; \S/);
}

describe("policy file bounds", () => {
  /** A file of exactly `bytes` bytes: a comment padded to size. */
  const sized = (bytes: number) => {
    const shell = JSON.stringify({ "//": "", files: { "tenants.json": { profile: "json" } } });
    return shell.replace('"//":""', `"//":"${"x".repeat(bytes - shell.length)}"`);
  };

  it("a file of 1 MiB is read; one byte more is refused at line 1, saying what to do", () => {
    expect(Buffer.byteLength(sized(POLICY_MAX_BYTES))).toBe(POLICY_MAX_BYTES);
    expect(read(sized(POLICY_MAX_BYTES)).problems).toEqual([]);
    const { problems, policy } = read(sized(POLICY_MAX_BYTES + 1));
    expect(problems).toHaveLength(1);
    expect(problems[0].line).toBe(1);
    expect(problems[0].message).toMatch(/^the file holds 1,048,577 bytes, more than the 1,048,576 \(1 MiB\) a policy file may hold; let one glob cover many files/);
    expectOneLine(problems[0]);
    expect(policy.entries).toEqual([]);
  });

  it(`${POLICY_MAX_ENTRIES.toLocaleString("en-US")} entries are read, each with its line`, () => {
    const text = JSON.stringify(manyEntries(POLICY_MAX_ENTRIES), null, 2);
    const { problems, policy } = read(text);
    expect(problems).toEqual([]);
    expect(policy.entries).toHaveLength(POLICY_MAX_ENTRIES);
    const last = policy.entries[POLICY_MAX_ENTRIES - 1];
    expect(last.line).toBe(lineOf(text, `"${last.glob}"`));
  });

  it("one entry more is refused at the line of \"files\", saying what to do", () => {
    const text = JSON.stringify({ version: 1, ...manyEntries(POLICY_MAX_ENTRIES + 1) }, null, 2);
    const { problems } = read(text);
    expect(problems).toHaveLength(1);
    expect(problems[0].line).toBe(lineOf(text, '"files"'));
    expect(problems[0].message).toMatch(/^"files" holds 10,001 entries, more than the 10,000 allowed; let one glob cover many files/);
    expectOneLine(problems[0]);
  });

  it("a glob of 1,000 characters is used; a longer one is refused at its line, shown by its start", () => {
    const longest = "state/" + "a".repeat(FILE_GLOB_MAX_LENGTH - "state/".length - ".json".length) + ".json";
    expect(longest).toHaveLength(FILE_GLOB_MAX_LENGTH);
    expect(read({ files: { [longest]: { profile: "json" } } }).problems).toEqual([]);
    const tooLong = longest.replace("state/", "state/b");
    const text = JSON.stringify({ files: { "tenants.json": {}, [tooLong]: { profile: "nix" } } }, null, 2);
    const { problems, policy } = read(text);
    expect(problems.map((p) => p.line)).toEqual([lineOf(text, tooLong), lineOf(text, '"nix"')]);
    expect(problems[0].message).toMatch(/^the file glob "state\/baaa+"\.\.\. is 1,001 characters long, more than the 1,000 allowed; shorten it with \* or \*\*$/);
    for (const p of problems) expectOneLine(p);
    expect(policy.entries.map((e) => e.glob)).toEqual(["tenants.json"]);
  });
});

/** How many times reading `text` decodes a key from its quoted text (to find the key's line). */
function keyDecodings(text: string): number {
  const parse = JSON.parse;
  let calls = 0;
  JSON.parse = ((...args: Parameters<typeof JSON.parse>) => {
    calls++;
    return parse(...args);
  }) as typeof JSON.parse;
  try {
    read(text);
  } finally {
    JSON.parse = parse;
  }
  return calls;
}

describe("reading a large policy file is linear", () => {
  it("four times the entries cost at most four times the key decodings", () => {
    const decodings = (n: number) => keyDecodings(JSON.stringify(manyEntries(n), null, 2));
    const small = decodings(1_000);
    expect(small).toBeGreaterThanOrEqual(1_000); // every entry's line is found
    expect(decodings(4_000)).toBeLessThanOrEqual(4 * small); // quadratic reading: 16 times
  });

  it("20,000 keyed array paths in one entry, each mistake at its own line", () => {
    const keyedArrays: Record<string, string> = {};
    for (let i = 0; i < 20_000; i++) keyedArrays[`/tenants${i}`] = "id";
    keyedArrays["/broken//path"] = "id";
    const text = JSON.stringify({ files: { "tenants.json": { profile: "json", keyedArrays } } }, null, 2);
    expect(Buffer.byteLength(text)).toBeLessThan(POLICY_MAX_BYTES);
    const { problems, policy } = read(text);
    expect(problems.map((p) => p.line)).toEqual([lineOf(text, '"/broken//path"')]);
    expect(policy.entries[0].keyedArrays).toHaveLength(20_000);
  }, 5_000);

  it("20,000 keys each written twice, each reported at its second line", () => {
    const lines = Array.from({ length: 20_000 }, (_, i) => `"/t${i}":"id",\n"/t${i}":"name"`);
    const text = `{\n  "files": {\n    "tenants.json": {\n      "keyedArrays": {\n${lines.join(",\n")}\n      }\n    }\n  }\n}\n`;
    expect(Buffer.byteLength(text)).toBeLessThan(POLICY_MAX_BYTES);
    const { problems } = read(text);
    expect(problems).toHaveLength(20_000);
    // Line 5 holds the first key; each key's second writing is on the line after its first.
    expect(problems.map((p) => p.line)).toEqual(Array.from({ length: 20_000 }, (_, i) => 6 + 2 * i));
    expect(problems[19_999].message).toBe('the key "/t19999" is written twice in one object; keep one (JSON readers keep only the last)');
  }, 5_000);

  it("a path written twice in a list is reported at each of its lines", () => {
    const text = JSON.stringify({ files: { "tenants.json": { volatile: { add: ["/a", "lastSeen", "/b", "lastSeen"] } } } }, null, 2);
    const lines = text.split("\n");
    const at = lines.flatMap((l, i) => (l.includes('"lastSeen"') ? [i + 1] : []));
    expect(at).toHaveLength(2);
    expect(read(text).problems.map((p) => p.line)).toEqual(at);
  });
});
