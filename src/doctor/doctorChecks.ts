// The built-in doctor checks: Git version, driver config, attribute lines, the files Git routes
// to our drivers, a trial run of each configured command, the conflict style the driver
// carries, the tracked state files themselves, and a hint about the CI guard.

import type { DoctorCheck, DoctorContext, Finding } from "./doctor";
import { DRIVER, PLAIN_NODE_START, VIRTUAL_DRIVER, driverSettings, installFormOf } from "../git/install";
import { passesLabels } from "../git/gitVersion";
import { tryDiffCommand, tryMergeDriver } from "./doctorDriverRun";
import { attributeSources, driverReferences } from "./doctorAttributes";
import { stateFileFindings } from "./doctorFiles";
import { checkRouting, routedPaths, routingOf } from "./doctorRouting";
import { checkConflictStyle } from "./doctorConflictStyle";
import { checkCiGuard } from "./doctorCiGuard";
import { installFor, scopedValue } from "./scopedConfig";

const BUILT_IN_DRIVERS = new Set(["text", "binary", "union"]);
const OURS = new Set([DRIVER, VIRTUAL_DRIVER]);

export const checkGitVersion: DoctorCheck = (ctx) => {
  const v = ctx.gitVersion.join(".");
  if (passesLabels(ctx.gitVersion)) return [{ severity: "ok", check: "git-version", message: `git ${v} passes conflict labels (%S %X %Y) to drivers` }];
  return [
    {
      severity: "warning",
      check: "git-version",
      message:
        `git ${v} is older than 2.44: conflict labels reach the driver as a literal %S/%X/%Y. statefile-merge works them out ` +
        `from the repository state instead (e.g. in a rebase "HEAD (upstream, being rebased onto)" vs "<commit> (commit being replayed)"), ` +
        `but that is a best guess; upgrade Git to 2.44 or later for Git's own labels`,
    },
  ];
};

interface DriverConfig {
  name?: string;
  driver?: string;
  recursive?: string;
}

/** Three checks read the merge driver config; git is asked once per doctor run (runDoctor's context). */
const driverConfigs = new WeakMap<DoctorContext, Map<string, DriverConfig>>();

function mergeDriverConfig(ctx: DoctorContext): Map<string, DriverConfig> {
  const known = driverConfigs.get(ctx);
  if (known) return known;
  const drivers = new Map<string, DriverConfig>();
  const r = ctx.git(["config", "-z", "--get-regexp", "^merge\\..+\\.(name|driver|recursive)$"]);
  for (const entry of r.stdout.split("\0").filter(Boolean)) {
    const nl = entry.indexOf("\n");
    const key = nl < 0 ? entry : entry.slice(0, nl);
    const value = nl < 0 ? "" : entry.slice(nl + 1);
    const m = /^merge\.(.+)\.(name|driver|recursive)$/.exec(key);
    if (!m) continue;
    const d = drivers.get(m[1]) ?? {};
    d[m[2] as keyof DriverConfig] = value;
    drivers.set(m[1], d);
  }
  driverConfigs.set(ctx, drivers);
  return drivers;
}

export const checkDriverConfig: DoctorCheck = (ctx) => {
  const findings: Finding[] = [];
  const drivers = mergeDriverConfig(ctx);
  for (const [name, d] of drivers) {
    const severity = OURS.has(name) ? "error" : "warning";
    if (d.driver === undefined) {
      findings.push({
        severity,
        check: "driver-config",
        message: `merge.${name}.name is set but merge.${name}.driver is not: Git dies ("custom merge driver ${name} lacks command line") when it merges a file marked merge=${name}; run \`statefile-merge install\` or remove the section`,
      });
    }
    if (d.recursive !== undefined && !BUILT_IN_DRIVERS.has(d.recursive) && drivers.get(d.recursive)?.driver === undefined) {
      findings.push({
        severity,
        check: "driver-config",
        message: `merge.${name}.recursive names "${d.recursive}", which has no merge.${d.recursive}.driver: criss-cross merges use Git's text merge for the virtual base, and the outer merge then falls back to a line merge; run \`statefile-merge install\``,
      });
    }
  }
  const ours = drivers.get(DRIVER);
  if (ours?.driver !== undefined && ours.recursive === undefined) {
    findings.push({
      severity: "warning",
      check: "driver-config",
      message: `merge.${DRIVER}.recursive is not set: in a criss-cross merge the virtual base holds conflict markers and the file falls back to a line merge; run \`statefile-merge install\``,
    });
  }
  return findings;
};

export const checkAttributes: DoctorCheck = (ctx) => {
  const findings: Finding[] = [];
  const drivers = mergeDriverConfig(ctx);
  const diffCommand = (name: string) => ctx.git(["config", "--get", `diff.${name}.command`]).status === 0 || ctx.git(["config", "--get", `diff.${name}.textconv`]).status === 0;
  // Lines naming our drivers that a tracked file matches are judged by checkRouting (git
  // check-attr); here they matter only before any file matches them.
  const routing = routingOf(ctx);
  const noFileYet = (kind: "merge" | "diff") => routedPaths(routing, kind).length === 0;
  for (const ref of driverReferences(attributeSources(ctx))) {
    if (ref.kind === "merge" && !BUILT_IN_DRIVERS.has(ref.driver) && drivers.get(ref.driver)?.driver === undefined) {
      if (OURS.has(ref.driver) && !noFileYet("merge")) continue;
      findings.push({
        severity: "warning",
        check: "attributes",
        message: `${ref.where} marks ${ref.pattern} merge=${ref.driver}, but merge.${ref.driver}.driver is not configured in this clone: Git silently uses its line merge instead${OURS.has(ref.driver) ? " (no tracked file matches it yet)" : ""}; run \`statefile-merge install\``,
      });
    }
    if (ref.kind === "diff" && OURS.has(ref.driver) && !diffCommand(ref.driver) && noFileYet("diff")) {
      findings.push({
        severity: "warning",
        check: "attributes",
        message: `${ref.where} marks ${ref.pattern} diff=${ref.driver}, but diff.${ref.driver}.command is not configured: git diff shows plain line diffs; run \`statefile-merge install\``,
      });
    }
  }
  return findings;
};

export const checkDriverRuns: DoctorCheck = (ctx) => {
  const findings: Finding[] = [];
  const drivers = mergeDriverConfig(ctx);
  for (const [name, virtual] of [[DRIVER, false], [VIRTUAL_DRIVER, true]] as const) {
    const command = drivers.get(name)?.driver;
    if (command === undefined) continue;
    const problem = tryMergeDriver(command, virtual, ctx.gitVersion, ctx.top);
    findings.push(
      problem === null
        ? { severity: "ok", check: "driver-runs", message: `merge.${name}.driver runs and merges a test file` }
        : { severity: "error", check: "driver-runs", message: `merge.${name}.driver does not work: ${problem}; run \`statefile-merge install\` again (command: ${command})` },
    );
    // An older install's line, without the check that node and the package are still there.
    if (installFormOf(`merge.${name}.driver`, command)?.guard === false) {
      findings.push({
        severity: "warning",
        check: "driver-runs",
        message: `merge.${name}.driver was written by an older install, without the check that node and the package still exist (after a node upgrade Git would keep ours without conflict markers); run ${installFor([{ key: `merge.${name}.driver`, scope: scopedValue(ctx, `merge.${name}.driver`)?.scope ?? "" }])} again`,
      });
    }
  }
  const diff = ctx.git(["config", "--get", `diff.${DRIVER}.command`]);
  if (diff.status === 0) {
    const command = diff.stdout.trim();
    const problem = tryDiffCommand(command, ctx.top);
    findings.push(
      problem === null
        ? { severity: "ok", check: "driver-runs", message: `diff.${DRIVER}.command runs` }
        : { severity: "error", check: "driver-runs", message: `diff.${DRIVER}.command does not work (git diff will stop with "external diff died"): ${problem}; run \`statefile-merge install\` again (command: ${command})` },
    );
  }
  return findings;
};

/**
 * With NODE_EXTRA_CA_CERTS set, a command an older install wrote makes Node load those
 * certificates at every start, which the commands never use (PLAIN_NODE_START). A hint: only
 * slower, nothing goes wrong.
 */
export const checkPlainNodeStart: DoctorCheck = (ctx) => {
  const certificates = process.env.NODE_EXTRA_CA_CERTS;
  if (certificates === undefined || certificates === "") return [];
  // Only the commands that start Node (names and `recursive` do not) are asked about.
  const older = driverSettings()
    .filter(([, value]) => value.includes(PLAIN_NODE_START))
    .map(([key]) => ({ key, found: scopedValue(ctx, key) }))
    .filter(({ key, found }) => found !== null && installFormOf(key, found.value)?.plainNodeStart === false);
  if (older.length === 0) return [];
  const message =
    `NODE_EXTRA_CA_CERTS is set, and ${older.map((o) => o.key).join(", ")} ${older.length === 1 ? "was" : "were"} written by an older install, which starts Node with those certificates: ` +
    `Node loads them at every start (tens of ms per file Git hands over), and these commands never use them; run ${installFor(older.map((o) => ({ key: o.key, scope: o.found?.scope ?? "" })))} again (its commands start Node with ${PLAIN_NODE_START.trim()})`;
  return [{ severity: "hint", check: "driver-runs", message }];
};

export const checkStateFiles: DoctorCheck = (ctx) => stateFileFindings(ctx);

export const BUILT_IN_CHECKS: DoctorCheck[] = [checkGitVersion, checkDriverConfig, checkAttributes, checkRouting, checkDriverRuns, checkPlainNodeStart, checkConflictStyle, checkStateFiles, checkCiGuard];
