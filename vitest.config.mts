import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    // One temporary root for the run, removed at its end (test/support/tempRoot.ts).
    globalSetup: ["test/support/tempRoot.ts"],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Tests drive real git processes; two workers fit this 2-core machine.
    maxWorkers: 2,
  },
});
