import { describe, expect, it } from "vitest";
import { cli } from "../support/review";

describe("statefile-merge nixops --help", () => {
  const help = cli(null, "nixops", "--help").stdout;
  const usage = help.split("\n")[0];
  const options = [...help.matchAll(/^ {2}(--[a-z-]+)/gm)].map((m) => m[1]).filter((o) => o !== "--help");

  it("names every option in its usage line", () => {
    expect(options.length).toBeGreaterThan(5);
    for (const option of options) expect(usage, option).toContain(`[${option}`);
  });

  it("shows each default as the option takes it: a default given back on the command line is accepted", () => {
    const stale = /--lock-stale-after <duration>[\s\S]*?\(default: ([^)]+)\)/.exec(help)?.[1];
    expect(stale).toBe("2h");
    // Accepted: the run gets as far as looking for its state file (given none that exists).
    const r = cli(null, "nixops", "--lock-stale-after", stale as string, "--state", "/nonexistent/dir/state.json", "--", "list");
    expect(r.stderr).not.toMatch(/invalid/);
  });
});
