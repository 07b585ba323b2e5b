// The generic JSON profile: objects by key at any depth, arrays atomic, strings plain.

import { PLAIN_POLICY } from "../core/policy";
import { formatJsonPathPattern } from "./pathPattern";
import { isSecretName } from "./secrets";
import type { Profile } from "./profile";

export function jsonProfile(secretNames: readonly string[] = []): Profile {
  return {
    name: "json",
    policy: PLAIN_POLICY,
    isSecretPath: (path) => path.length > 0 && isSecretName(path[path.length - 1], secretNames),
    duplicateIsRecord: () => false,
    describePath: (path) => (path.length === 0 ? "the document root" : formatJsonPathPattern(path)),
  };
}
