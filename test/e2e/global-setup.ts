import { mkdir, rename } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

import { CLI_FILE } from './cli-runner.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

/**
 * Builds the command line's JavaScript (no .d.ts) into .test-dist/ before the tests, so the
 * end-to-end tests run the built command without a prior `npm run build`. Written to a private
 * file then renamed, so concurrent test runs never spawn a half-written file.
 */
export async function setup(): Promise<void> {
  await mkdir(dirname(CLI_FILE), { recursive: true });
  const temporary = `${CLI_FILE}.${process.pid}.tmp`;
  await build({
    entryPoints: [join(root, 'cli', 'bin.ts')],
    outfile: temporary,
    bundle: true,
    packages: 'external',
    platform: 'node',
    format: 'esm',
    target: 'node20',
    logLevel: 'warning',
  });
  await rename(temporary, CLI_FILE);
}
