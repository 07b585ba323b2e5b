// Where attribute lines can name a driver: every .gitattributes in the work tree, the clone's
// info/attributes and the user's core.attributesFile. Read as text, because a line that names
// a missing driver matters even before a file matches it.

import { existsSync, readFileSync } from "node:fs";
import { homedir } from "node:os";
import { isAbsolute, join, resolve } from "node:path";
import type { DoctorContext } from "./doctor";

export interface AttributeSource {
  /** How to name it to the user (a path relative to the top, or absolute). */
  name: string;
  text: string;
}

export interface DriverReference {
  kind: "merge" | "diff";
  driver: string;
  pattern: string;
  /** `file:line` */
  where: string;
}

export function attributeSources(ctx: DoctorContext): AttributeSource[] {
  const sources: AttributeSource[] = [];
  const read = (name: string, path: string) => {
    if (existsSync(path)) sources.push({ name, text: readFileSync(path, "utf8") });
  };
  const tracked = ctx.git(["ls-files", "-z", "--cached", "--others", "--exclude-standard", "--", ":(glob)**/.gitattributes"]);
  for (const rel of new Set(tracked.stdout.split("\0").filter(Boolean))) read(rel, join(ctx.top, rel));
  const info = ctx.git(["rev-parse", "--git-path", "info/attributes"]).stdout.trim();
  if (info) read(info, isAbsolute(info) ? info : resolve(ctx.top, info));
  const global = ctx.git(["config", "--path", "--get", "core.attributesFile"]);
  const xdg = process.env.XDG_CONFIG_HOME || join(process.env.HOME ?? homedir(), ".config");
  const user = global.status === 0 ? global.stdout.trim() : join(xdg, "git", "attributes");
  read(user, user);
  return sources;
}

export function driverReferences(sources: AttributeSource[]): DriverReference[] {
  const refs: DriverReference[] = [];
  for (const source of sources) {
    source.text.split(/\r?\n/).forEach((line, i) => {
      const words = line.trim().split(/\s+/);
      if (words[0] === "" || words[0].startsWith("#")) return;
      for (const word of words.slice(1)) {
        const m = /^(merge|diff)=(.+)$/.exec(word);
        if (m) refs.push({ kind: m[1] as "merge" | "diff", driver: m[2], pattern: words[0], where: `${source.name}:${i + 1}` });
      }
    });
  }
  return refs;
}
