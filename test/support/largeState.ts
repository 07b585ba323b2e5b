// Large NixOps exports written straight to disk (a 300 MB state is never one string here):
// one deployment of the real ec2 fixture whose resources are `count` copies of its app1
// machine, named m0000000, m0000001, ... (sorted, as NixOps writes them), each with its own
// vmId. `changes` sets attributes of chosen machines, to make ours and theirs.

import { closeSync, openSync, writeSync } from "node:fs";
import { State } from "./fixtures";

export interface LargeStateOptions {
  count: number;
  /** machine index -> attribute -> new value (an attribute the template has). */
  changes?: Map<number, Record<string, string>>;
}

function template(): { head: string; record: string[]; tail: string } {
  const s = State.fixture("ec2-prod-5machines");
  const app1 = s.resource("prod", "app1");
  s.resources("prod").clear();
  const text = s.text();
  const cut = text.indexOf('"resources": {}') + '"resources": {'.length;
  const one = new State(new Map([["x", app1]])).text().split("\n");
  // Lines of the record body, without the `{`/`}` of the one-record document and the key line.
  const record = one.slice(2, -3);
  return { head: text.slice(0, cut) + "\n", record, tail: "\n    }" + text.slice(cut + 1) };
}

export function writeLargeState(file: string, options: LargeStateOptions): number {
  const { head, record, tail } = template();
  const fd = openSync(file, "w", 0o600);
  let size = 0;
  const put = (s: string) => {
    size += writeSync(fd, s);
  };
  try {
    put(head);
    let chunk = "";
    for (let i = 0; i < options.count; i++) {
      const name = "m" + String(i).padStart(7, "0");
      const change = options.changes?.get(i) ?? {};
      const body = record.map((line) => {
        const m = /^(\s*)"([^"]+)": "(.*)"(,?)$/.exec(line);
        if (!m) return line;
        if (m[2] === "vmId") return `${m[1]}"vmId": "i-${name}"${m[4]}`;
        if (m[2] in change) return `${m[1]}"${m[2]}": ${JSON.stringify(change[m[2]])}${m[4]}`;
        return line;
      });
      chunk += `      "${name}": {\n` + body.map((l) => "    " + l).join("\n") + "\n      }" + (i < options.count - 1 ? ",\n" : "");
      if (chunk.length > 1 << 20) {
        put(chunk);
        chunk = "";
      }
    }
    put(chunk + tail);
  } finally {
    closeSync(fd);
  }
  return size;
}
