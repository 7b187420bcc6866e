import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    testTimeout: 20_000,
    // Builds the command line into .test-dist/ for the end-to-end tests (test/e2e/).
    globalSetup: ['test/e2e/global-setup.ts'],
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          include: ['test/**/*.test.ts'],
          exclude: ['test/**/*.system.test.ts'],
        },
      },
      {
        // Several processes, SIGKILLs, rate measured at the vendor: one file at a time, after
        // the rest (scripts/test.mjs), so they never compete with other files for the cores.
        extends: true,
        test: {
          name: 'system',
          include: ['test/**/*.system.test.ts'],
          fileParallelism: false,
          testTimeout: 120_000,
        },
      },
    ],
  },
});
