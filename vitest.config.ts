import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';
import { entryPoints } from './entry-points.js';

// `contact-sync` and `contact-sync/<entry>` resolve to the sources of each entry point, so the
// example adapter (examples/) imports the package by name, as a separate package would.
const packageNames = Object.entries(entryPoints).map(([name, file]) => ({
  find: new RegExp(`^contact-sync${name === 'index' ? '' : `/${name}`}$`),
  replacement: fileURLToPath(new URL(file, import.meta.url)),
}));

export default defineConfig({
  resolve: { alias: packageNames },
  test: {
    testTimeout: 20_000,
    // Builds the command line into .test-dist/ for the end-to-end tests (test/e2e/).
    globalSetup: ['test/e2e/global-setup.ts'],
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          include: ['test/**/*.test.ts', 'examples/*/test/**/*.test.ts'],
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
