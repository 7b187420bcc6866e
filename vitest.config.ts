import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';
import { entryPoints } from './entry-points.js';

// `contact-sync` and `contact-sync/<entry>` resolve to the sources of each entry point, so the
// example adapter (examples/) imports the package by name, as a separate package would.
const packageNames = Object.entries(entryPoints).map(([name, file]) => ({
  find: new RegExp(`^contact-sync${name === 'index' ? '' : `/${name}`}$`),
  replacement: fileURLToPath(new URL(file, import.meta.url)),
}));

/**
 * Test timeouts are bounds for a loaded machine (2 cores shared with other runs), not the way a
 * test waits: a test waits for a condition (test/support/wait-for.ts), and a passing test never
 * comes near its timeout.
 */
export default defineConfig({
  resolve: { alias: packageNames },
  test: {
    testTimeout: 60_000,
    hookTimeout: 60_000,
    setupFiles: ['test/support/quiet-redis-warning.ts'],
    // At least two files at a time, even on two cores (vitest's default is cores - 1): many
    // tests wait on sockets, child processes and timers, and a second file fills that time.
    maxWorkers: Math.max(2, availableParallelism() - 1),
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
        // Several processes, SIGKILLs, rates measured on the workers' sends: one file at a time
        // (alongside the unit run, scripts/test.mjs). Each waits for conditions and is sized to
        // finish in a minute or two on loaded cores; the timeout is the bound.
        extends: true,
        test: {
          name: 'system',
          include: ['test/**/*.system.test.ts'],
          fileParallelism: false,
          testTimeout: 240_000,
        },
      },
    ],
  },
});
