// End to end: a real `git merge` in a temporary repository, the driver configured through
// .gitattributes and git config, running the built bin (`npm run build` first; `npm test` does).

import { existsSync } from "node:fs";
import { beforeAll, describe, expect, it } from "vitest";
import { BIN, State, fixtureText } from "../support/fixtures";
import { TempRepo } from "../support/gitRepo";
import { pickFromMarkers } from "../support/arbitraries";
import { parseJson } from "../../src/formats/parseJson";
import { join } from "node:path";

const FILE = "state/nixops.json";

/** main holds the base; `mine` (checked out for the merge) and `teammate` branch off it. */
function repoWith(base: string, mine: string, teammate: string, configure: (r: TempRepo) => void = () => undefined): TempRepo {
  const repo = TempRepo.create().configureDriver("*.json");
  configure(repo);
  repo.write(FILE, base).commit("base");
  repo.git("checkout", "-q", "-b", "teammate");
  repo.write(FILE, teammate).commit("teammate deploys");
  repo.git("checkout", "-q", "main");
  repo.write(FILE, mine).commit("my deploy");
  return repo;
}

describe("git merge with the driver", () => {
  beforeAll(() => {
    if (!existsSync(join(BIN, "..", "..", "dist", "cli.js"))) throw new Error("run `npm run build` first: the bin loads dist/cli.js");
  });

  it("clean: the teammate's real deploy merges with mine, status 0, nothing unmerged", () => {
    const base = State.fixture("ec2-prod-5machines");
    const mine = base.clone().set("prod", "db1", "state", "5").remove("prod", "lb-eip-2");
    const mate = fixtureText("ec2-prod-after-teammate-deploy");
    const repo = repoWith(base.text(), mine.text(), mate);
    const r = repo.tryGit("merge", "--no-edit", "teammate");
    expect(r.status, r.stderr).toBe(0);
    expect(repo.unmerged()).toEqual([]);
    // The teammate's export with my two changes made to it, as NixOps would print it; the
    // teammate's deploy re-wrote the `keys` texts with the same keys, which is no change: mine stay.
    const expected = State.fixture("ec2-prod-after-teammate-deploy").set("prod", "db1", "state", "5").remove("prod", "lb-eip-2");
    for (const machine of ["app1", "app2", "db1"]) expected.set("prod", machine, "keys", base.get("prod", machine, "keys")!);
    expect(repo.read(FILE)).toBe(expected.text());
    // And the changes are really there (not dropped from both).
    const merged = new State(parseJson(repo.read(FILE)).value as never, "py3");
    expect(merged.get("prod", "db1", "state")).toBe("5");
    expect(merged.resources("prod").has("lb-eip-2")).toBe(false);
    expect(merged.get("prod", "app2", "vmId")).not.toBe(base.get("prod", "app2", "vmId"));
    expect(repo.git("log", "-1", "--format=%P").trim().split(" ")).toHaveLength(2);
    expect(repo.git("status", "--porcelain")).toBe("");
  });

  it("conflicting: status 1, markers with Git's labels around the one attribute, the index keeps three stages", () => {
    const base = State.fixture("vbox-none-2machines");
    const mine = base.clone().set("dev", "web", "toplevel", "/nix/store/mine-web").set("dev", "db", "state", "5");
    const mate = base.clone().set("dev", "web", "toplevel", "/nix/store/mate-web").set("dev", null, "description", "Dev network, caf\u00e9");
    const repo = repoWith(base.text(), mine.text(), mate.text());
    const r = repo.tryGit("merge", "--no-edit", "teammate");
    expect(r.status).toBe(1);
    expect(r.stdout + r.stderr).toContain(`CONFLICT (content): Merge conflict in ${FILE}`);
    expect(r.stderr).toContain("resource web, attribute toplevel");
    expect(repo.unmerged()).toEqual([FILE]);
    expect(repo.git("ls-files", "-u").trim().split("\n").map((l) => l.split(/\s+/)[2])).toEqual(["1", "2", "3"]);
    const text = repo.read(FILE);
    const lines = text.split("\n");
    const open = lines.indexOf("<<<<<<< HEAD");
    expect(lines.slice(open, open + 5)).toEqual(["<<<<<<< HEAD", '        "toplevel": "/nix/store/mine-web",', "=======", '        "toplevel": "/nix/store/mate-web",', ">>>>>>> teammate"]);
    // Either side gives valid JSON with both sides' other changes.
    for (const side of ["ours", "theirs"] as const) {
      const s = new State(parseJson(pickFromMarkers(text, side)).value as never, "py3");
      expect(s.get("dev", "db", "state")).toBe("5");
      expect(s.get("dev", null, "description")).toBe("Dev network, caf\u00e9");
    }
  });

  it("diff3 from git config: the base section carries the merge base's line", () => {
    const base = State.fixture("vbox-none-2machines");
    const mine = base.clone().set("dev", "db", "state", "5");
    const mate = base.clone().set("dev", "db", "state", "4");
    const repo = repoWith(base.text(), mine.text(), mate.text(), (r) => r.git("config", "merge.conflictStyle", "diff3"));
    expect(repo.tryGit("merge", "--no-edit", "teammate").status).toBe(1);
    const lines = repo.read(FILE).split("\n");
    const mid = lines.findIndex((l) => l.startsWith("||||||| "));
    expect(mid).toBeGreaterThan(0);
    expect(lines[mid + 1]).toBe('        "state": "3",');
  });

  it("add/add (no common file): merged structurally with an empty base", () => {
    const repo = TempRepo.create().configureDriver("*.json");
    repo.write("README", "x\n").commit("root");
    repo.git("checkout", "-q", "-b", "teammate");
    repo.write(FILE, State.fixture("vbox-none-2machines").set("dev", "web", "state", "5").text()).commit("add on teammate");
    repo.git("checkout", "-q", "main");
    repo.write(FILE, State.fixture("vbox-none-2machines").set("dev", "db", "state", "5").text()).commit("add on main");
    const r = repo.tryGit("merge", "--no-edit", "teammate");
    expect(r.status).toBe(1);
    const text = repo.read(FILE);
    expect(text.match(/^<<<<<<< /gm)).toHaveLength(2);
    for (const side of ["ours", "theirs"] as const) parseJson(pickFromMarkers(text, side));
  });
});
