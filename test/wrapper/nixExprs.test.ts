import { describe, expect, it } from "vitest";
import { mkdirSync, mkdtempSync, realpathSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { State, pyDumps } from "../support/fixtures";
import { STATE, WrapperRepo, deployed, machinesOf } from "../support/wrapperRun";

// NixOps 1.7, evaluating the network files named by nixExprs on deploy.
const V1 = { FAKE_NIXOPS_VERSION: "1.7", FAKE_NIXOPS_EVALUATE: "1" };
const NETWORK = ["infra/logical.nix", "infra/physical-vbox.nix"];

/** The legacy fixture with `local`'s nixExprs set to these paths (Python's json.dumps of the list). */
function withNixExprs(paths: string[]): State {
  return State.fixture("legacy-nixops-1.7-python2").set("local", null, "nixExprs", pyDumps(paths));
}

/** `local` as the fake's deploy leaves it, with nixExprs as given. */
function deployedLocal(paths: string[]): State {
  const s = withNixExprs(paths);
  return deployed(s, "local", ...machinesOf(s, "local"));
}

function writeNetwork(w: WrapperRepo): void {
  for (const f of NETWORK) w.repo.write(f, "{ }\n");
}

describe("nixExprs (NixOps 1.x network files) in the committed state", () => {
  it("are committed relative to the repository top, in NixOps' byte layout", () => {
    const w = WrapperRepo.create(null, V1);
    writeNetwork(w);
    w.repo.write(STATE, withNixExprs(NETWORK.map((f) => join(w.repo.dir, f))).text()).commit("state as nixops 1.7 left it");
    const r = w.run(["deploy", "-d", "local"]);
    expect(r.status, r.stderr).toBe(0);
    expect(w.state()).toBe(deployedLocal(NETWORK).text());
    expect(w.state()).toContain('    "nixExprs": "[\\"infra/logical.nix\\", \\"infra/physical-vbox.nix\\"]", \n');
  });

  it("a run that changes nothing leaves a file with absolute paths alone (converted on the next real change)", () => {
    const w = WrapperRepo.create(null, V1);
    writeNetwork(w);
    w.repo.write(STATE, withNixExprs(NETWORK.map((f) => join(w.repo.dir, f))).text()).commit("state as nixops 1.7 left it");
    const before = w.state();
    const mtime = statSync(join(w.repo.dir, STATE)).mtimeMs;
    expect(w.run(["list"]).status).toBe(0);
    expect(w.state()).toBe(before);
    expect(statSync(join(w.repo.dir, STATE)).mtimeMs).toBe(mtime);
  });

  it("are made absolute for each clone's own checkout, so teammates in other folders deploy without nixops modify, and the file stays the same", () => {
    const { alice, bob } = WrapperRepo.team(deployedLocal(NETWORK).text(), V1);
    writeNetwork(alice);
    alice.repo.commit("network", ...NETWORK);
    alice.repo.git("push", "-q");
    bob.repo.git("pull", "-q", "--ff-only");
    const committed = alice.state();

    for (const w of [alice, bob]) {
      const mtime = statSync(join(w.repo.dir, STATE)).mtimeMs;
      const r = w.run(["deploy", "-d", "local"]);
      expect(r.status, r.stderr).toBe(0);
      const evaluated = w.entries().find((e) => e.event === "evaluate");
      expect(evaluated?.nixExprs).toEqual(NETWORK.map((f) => join(w.repo.dir, f)));
      expect(w.state()).toBe(committed);
      expect(statSync(join(w.repo.dir, STATE)).mtimeMs).toBe(mtime); // untouched
    }
  });

  it("`nixops modify` from a subdirectory stores them relative to the top, not to that directory", () => {
    const w = WrapperRepo.create(null, V1);
    writeNetwork(w);
    w.repo.write(STATE, withNixExprs(["/somewhere/else.nix"]).text()).commit("state");
    const r = w.run(["modify", "-d", "local", "logical.nix", "physical-vbox.nix"], [], {}, { cwd: join(w.repo.dir, "infra"), state: `../${STATE}` });
    expect(r.status, r.stderr).toBe(0);
    expect(w.state()).toBe(withNixExprs(NETWORK).text());
  });

  it("keep paths outside the repository and <...> lookups as they are; a checkout reached through a symlink still counts as inside", () => {
    const outside = realpathSync(mkdtempSync(join(tmpdir(), "statefile-merge-outside-")));
    mkdirSync(join(outside, "shared"));
    writeFileSync(join(outside, "shared", "common.nix"), "{ }\n");
    const w = WrapperRepo.create(null, V1);
    writeNetwork(w);
    const link = join(outside, "checkout");
    symlinkSync(w.repo.dir, link);
    const given = ["<nixpkgs/nixos/modules/virtualisation/virtualbox-image.nix>", join(outside, "shared", "common.nix"), join(link, NETWORK[0])];
    w.repo.write(STATE, withNixExprs(given).text()).commit("state");
    const r = w.run(["deploy", "-d", "local"]);
    expect(r.status, r.stderr).toBe(0);
    const expected = deployedLocal([given[0], given[1], NETWORK[0]]);
    expect(w.state()).toBe(expected.text());
    // The other deployment's /home/bob paths (another machine's checkout) are not touched.
    expect(w.state()).toContain('"nixExprs": "[\\"/home/bob/infra/logical.nix\\", \\"/home/bob/infra/physical-ec2.nix\\"]", \n');
  });
});
