// Settings given for one Git command (`git -c key=value ...`, or GIT_CONFIG_COUNT with
// GIT_CONFIG_KEY_n / GIT_CONFIG_VALUE_n) reach the drivers Git runs in their environment, and
// outrank every config file. Read here without starting `git config`: GIT_CONFIG_COUNT's
// entries first, then GIT_CONFIG_PARAMETERS (Git's own order), the last one for a key winning.

export type Environment = Readonly<Record<string, string | undefined>>;

/** The value a command line gave `key` (section and name, compared as Git does: in any case), or undefined. */
export function commandLineConfig(key: string, env: Environment = process.env): string | undefined {
  const wanted = key.toLowerCase();
  let found: string | undefined;
  for (const [k, v] of commandLineEntries(env)) if (k.toLowerCase() === wanted) found = v;
  return found;
}

function commandLineEntries(env: Environment): Array<[string, string]> {
  const entries: Array<[string, string]> = [];
  const count = Number(env.GIT_CONFIG_COUNT ?? "0");
  for (let i = 0; Number.isInteger(count) && i < count; i++) {
    const k = env[`GIT_CONFIG_KEY_${i}`];
    if (k !== undefined) entries.push([k, env[`GIT_CONFIG_VALUE_${i}`] ?? ""]);
  }
  const parameters = env.GIT_CONFIG_PARAMETERS;
  if (parameters !== undefined) entries.push(...parseParameters(parameters) ?? []);
  return entries;
}

/**
 * GIT_CONFIG_PARAMETERS: words in Git's shell quoting (`'...'`, a quote written `'\''`, a "!"
 * `'\!'`), separated by blanks; each word `'key'='value'` (Git 2.31 and later), `'key=value'`
 * or `'key'` (true). Null when it does not read so (then nothing in it is taken).
 */
export function parseParameters(text: string): Array<[string, string]> | null {
  const entries: Array<[string, string]> = [];
  let i = 0;
  const quoted = (): string | null => {
    if (text[i] !== "'") return null;
    let out = "";
    for (;;) {
      const close = text.indexOf("'", i + 1);
      if (close === -1) return null;
      out += text.slice(i + 1, close);
      i = close + 1;
      // '\'' and '\!' put a quote or "!" between two quoted pieces.
      if (text[i] === "\\" && (text[i + 1] === "'" || text[i + 1] === "!") && text[i + 2] === "'") {
        out += text[i + 1];
        i += 2;
        continue;
      }
      return out;
    }
  };
  for (;;) {
    while (text[i] === " ") i++;
    if (i >= text.length) return entries;
    const first = quoted();
    if (first === null) return null;
    if (text[i] === "=") {
      i++;
      const value = quoted();
      if (value === null) return null;
      entries.push([first, value]);
    } else {
      const eq = first.indexOf("=");
      entries.push(eq === -1 ? [first, "true"] : [first.slice(0, eq), first.slice(eq + 1)]);
    }
    if (i < text.length && text[i] !== " ") return null;
  }
}
