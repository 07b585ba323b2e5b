import { describe, expect, it } from "vitest";
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { State } from "../support/fixtures";
import { lockPathFor } from "../../src/wrapper/lock";
import { STATE, WrapperRepo } from "../support/wrapperRun";

describe("Ctrl-C during a wrapped nixops run", () => {
  it("lets nixops stop, exports what it changed, removes the statefile and the lock, and exits 130", async () => {
    const w = WrapperRepo.create(State.fixture("vbox-none-2machines").text());
    const run = w.start(["sleep", "30", "-d", "dev"]);
    const sleeping = await w.waitFor("sleeping");
    expect(existsSync(sleeping.statefile)).toBe(true);
    // The terminal sends SIGINT to the whole foreground process group.
    process.kill(-(run.child.pid as number), "SIGINT");
    const r = await run.done;

    expect(r.status).toBe(130);
    expect(r.stderr).toContain("got SIGINT; letting nixops stop, then exporting the state");
    expect(w.entries().map((e) => `${e.command}:${e.event}`)).toEqual([
      "import:start",
      "import:end",
      "sleep:start",
      "sleep:sleeping",
      "sleep:interrupted",
      "export:start",
      "export:end",
    ]);
    // `sleep` changed the description before it was interrupted; that change is not lost.
    expect(w.state()).toBe(State.fixture("vbox-none-2machines").set("dev", null, "description", "interrupted run").text());
    expect(existsSync(dirname(sleeping.statefile))).toBe(false);
    expect(existsSync(lockPathFor(join(w.repo.dir, STATE)))).toBe(false);
  });

  it("with nobody reading its stderr any more (a `| tee` the same Ctrl-C ended), still exports the state", async () => {
    const w = WrapperRepo.create(State.fixture("vbox-none-2machines").text());
    const run = w.start(["sleep", "30", "-d", "dev"]);
    const sleeping = await w.waitFor("sleeping");
    // The reading end of the wrapper's stderr goes away: its next line gets EPIPE.
    run.child.stderr?.destroy();
    process.kill(-(run.child.pid as number), "SIGINT");
    const exited = await new Promise<number | null>((done) => run.child.once("exit", (code) => done(code)));
    expect(exited).toBe(130);
    expect(w.entries().map((e) => `${e.command}:${e.event}`).slice(-2)).toEqual(["export:start", "export:end"]);
    expect(w.state()).toBe(State.fixture("vbox-none-2machines").set("dev", null, "description", "interrupted run").text());
    expect(existsSync(dirname(sleeping.statefile))).toBe(false);
    expect(existsSync(lockPathFor(join(w.repo.dir, STATE)))).toBe(false);
  });

  it("forwards SIGTERM sent to the wrapper alone, and cleans up the same way", async () => {
    const w = WrapperRepo.create(State.fixture("vbox-none-2machines").text());
    const run = w.start(["sleep", "30", "-d", "dev"]);
    const sleeping = await w.waitFor("sleeping");
    run.child.kill("SIGTERM");
    const r = await run.done;
    expect(r.status).toBe(143); // the fake dies of the forwarded SIGTERM: 128 + 15
    expect(w.state()).toContain('"description": "interrupted run"');
    expect(existsSync(dirname(sleeping.statefile))).toBe(false);
  });
});
