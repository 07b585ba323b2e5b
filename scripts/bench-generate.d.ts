// Types for bench-generate.js (plain CommonJS, run by `npm run bench` without a build).

export interface Scenario {
  base: string;
  ours: string;
  theirs: string;
  /** Conflicts planted on purpose: each is one hunk in a correct structured merge. */
  trueConflicts: number;
}

/** `deployed`: machines each side deploys (default a tenth), with nothing created or destroyed. */
export function generateScenario(resources: number, seed?: number, options?: { deployed?: number; deployments?: number }): Scenario;
export function exportText(state: unknown): string;
export function pyDumps(value: unknown): string;
