// `resolve` selectors for a Terraform state, in the addresses people read in plans:
// `aws_instance.web[1]`, `module.db.aws_db_instance.main` (every instance of it),
// `output.db_url`, or `.` / nothing-but-the-file for the whole state.

import type { Path, Slot } from "../../core/values";
import { isObject } from "../../core/values";
import { addressOfResource, deposedText, indexText, instanceSegment, instancesOf, resourceSegment } from "./addresses";

/** The merge path an address names, or an error sentence listing what the states hold. */
export function tfstateSelectorPath(selector: string, documents: readonly Slot[]): Path | { error: string } {
  if (selector === "." || selector === "/") return [];
  const output = /^output\.(.+)$/.exec(selector);
  if (output) return ["outputs", output[1]];
  const known = new Map<string, Path>();
  for (const doc of documents) {
    for (const { resource, instance } of instancesOf(doc)) {
      const rs = resourceSegment(resource);
      const is = instanceSegment(instance);
      if (rs === null || is === null) continue;
      known.set(addressOfResource(resource), ["resources", rs]);
      known.set(addressOfResource(resource) + indexText(instance.get("index_key")) + deposedText(instance.get("deposed")), ["resources", rs, "instances", is]);
    }
    const resources = isObject(doc) ? doc.get("resources") : undefined;
    for (const r of Array.isArray(resources) ? resources : []) {
      const rs = resourceSegment(r);
      if (isObject(r) && rs !== null && !known.has(addressOfResource(r))) known.set(addressOfResource(r), ["resources", rs]);
    }
  }
  const path = known.get(selector);
  if (path) return path;
  const some = [...known.keys()].slice(0, 5).join(", ");
  return { error: `no resource or instance ${JSON.stringify(selector)} in these states; name one as a plan does (${some}${known.size > 5 ? ", ..." : ""}) or output.NAME` };
}
