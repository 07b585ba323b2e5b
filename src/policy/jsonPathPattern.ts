// Places inside a JSON document, as the policy file writes them: "/tenants/*/domains", one
// glob per level ("*" any key or any element), "~1" for a "/" in a key and "~0" for "~"
// (as in JSON Pointer). "/" alone is the document root.

import type { PathPattern } from "../profiles/pathPattern";

export type ParsedPathPattern = { pattern: PathPattern } | { error: string };

export function parseJsonPathPattern(text: string): ParsedPathPattern {
  if (!text.startsWith("/")) return { error: `does not start with /; write it from the document root, like /tenants` };
  if (text === "/") return { pattern: [] };
  const segments = text.slice(1).split("/");
  if (segments.some((s) => s === "")) return { error: "has an empty level (//, or a / at the end); remove it" };
  if (segments.some((s) => s.includes("**"))) return { error: "uses **, which paths inside a document do not support; write one * per level" };
  return { pattern: segments.map((s) => s.replace(/~1/g, "/").replace(/~0/g, "~")) };
}

export function formatJsonPathPattern(pattern: PathPattern): string {
  return pattern.length === 0 ? "/" : "/" + pattern.map((s) => s.replace(/~/g, "~0").replace(/\//g, "~1")).join("/");
}
