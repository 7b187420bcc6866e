import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 20_000,
    // Builds the command line into .test-dist/ for the end-to-end tests (test/e2e/).
    globalSetup: ['test/e2e/global-setup.ts'],
  },
});
