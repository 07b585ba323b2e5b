// Temporary Git repositories driven by the real `git`, isolated from the user's config.

import { execFileSync, spawnSync, type SpawnSyncReturns } from "node:child_process";
import { mkdtempSync, writeFileSync, readFileSync, mkdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { BIN } from "./fixtures";

export interface GitResult {
  status: number;
  stdout: string;
  stderr: string;
}

/**
 * The environment of a test's git and bin: nothing of the user's or the machine's Git
 * configuration or attributes (global, system, XDG), and English messages whatever the locale.
 */
export function isolatedGitEnv(home: string): NodeJS.ProcessEnv {
  // No GIT_* of the caller's (a hook running the tests sets GIT_DIR, GIT_INDEX_FILE...).
  const outside = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith("GIT_")));
  return {
    ...outside,
    HOME: home,
    XDG_CONFIG_HOME: join(home, ".config"),
    GIT_CONFIG_NOSYSTEM: "1",
    GIT_ATTR_NOSYSTEM: "1",
    GIT_CONFIG_GLOBAL: join(home, ".gitconfig"),
    LC_ALL: "C",
    LANGUAGE: "",
  };
}

export class TempRepo {
  readonly env: NodeJS.ProcessEnv;

  constructor(readonly dir: string) {
    const home = join(dir, "..", "home");
    mkdirSync(home, { recursive: true });
    this.env = {
      ...isolatedGitEnv(home),
      GIT_AUTHOR_NAME: "Alice",
      GIT_AUTHOR_EMAIL: "alice@example.org",
      GIT_COMMITTER_NAME: "Alice",
      GIT_COMMITTER_EMAIL: "alice@example.org",
      GIT_EDITOR: "true",
      GIT_MERGE_AUTOEDIT: "no",
    };
  }

  static create(): TempRepo {
    const root = mkdtempSync(join(tmpdir(), "statefile-merge-test-"));
    const repo = new TempRepo(join(root, "repo"));
    mkdirSync(repo.dir);
    repo.git("init", "-q", "-b", "main");
    return repo;
  }

  /** Runs git; throws with its stderr when it fails. */
  git(...args: string[]): string {
    return execFileSync("git", args, { cwd: this.dir, env: this.env, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
  }

  /** Runs git and returns its status and output, failing or not. */
  tryGit(...args: string[]): GitResult {
    return this.tryGitWith({}, ...args);
  }

  /** tryGit with more environment variables. */
  tryGitWith(extra: Record<string, string>, ...args: string[]): GitResult {
    const r: SpawnSyncReturns<string> = spawnSync("git", args, { cwd: this.dir, env: { ...this.env, ...extra }, encoding: "utf8" });
    return { status: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
  }

  write(file: string, text: string): this {
    mkdirSync(dirname(join(this.dir, file)), { recursive: true });
    writeFileSync(join(this.dir, file), text);
    return this;
  }

  read(file: string): string {
    return readFileSync(join(this.dir, file), "utf8");
  }

  commit(message: string, ...files: string[]): this {
    this.git("add", ...(files.length ? files : ["-A"]));
    this.git("commit", "-q", "-m", message);
    return this;
  }

  /** Configures the driver by hand, the way `install` does, with the built bin. */
  configureDriver(pattern = "*.json"): this {
    this.git("config", "merge.statefile.name", "statefile-merge");
    this.git("config", "merge.statefile.driver", `node '${BIN}' merge %O %A %B -p %P -l %L -s %S -x %X -y %Y`);
    this.write(".gitattributes", `${pattern} merge=statefile\n`);
    return this;
  }

  /**
   * A criss-cross history from main: branches x (X1) and y (Y1), each merging the other's first
   * commit with `resolved` as the result (X2, Y2); x is checked out at X2 afterwards.
   */
  crissCross(file: string, x1: string, y1: string, resolved: string): this {
    this.git("checkout", "-q", "-b", "x");
    this.write(file, x1).commit("X1", file);
    this.git("checkout", "-q", "-b", "y", "main");
    this.write(file, y1).commit("Y1", file);
    this.git("checkout", "-q", "x");
    this.tryGit("merge", "y~0", "-m", "X2");
    this.write(file, resolved).commit("X2: merge Y1", file);
    this.git("checkout", "-q", "y");
    this.tryGit("merge", "x~1", "-m", "Y2");
    this.write(file, resolved).commit("Y2: merge X1", file);
    this.git("checkout", "-q", "x");
    return this;
  }

  /** Paths with unmerged index entries (git ls-files -u). */
  unmerged(): string[] {
    return [...new Set(this.git("ls-files", "-u").split("\n").filter(Boolean).map((l) => l.split("\t")[1]))];
  }
}

