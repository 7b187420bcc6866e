#!/usr/bin/env node
// Runs a TypeScript entry file (a benchmark, the soak run) on Node 20, which cannot strip types:
// esbuild bundles the project's own sources into one ESM file, dependencies stay external.
import { spawn } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { build } from 'esbuild';

const [entry, ...args] = process.argv.slice(2);
if (!entry) {
  process.stderr.write('usage: node scripts/run-ts.mjs <file.ts> [args…]\n');
  process.exit(2);
}
const outDir = resolve('node_modules/.cache/contact-sync-run');
mkdirSync(outDir, { recursive: true });
const outfile = join(outDir, `${basename(entry, '.ts')}-${process.pid}.mjs`);
await build({
  entryPoints: [entry],
  outfile,
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  packages: 'external',
  sourcemap: 'inline',
  logLevel: 'warning',
});
const child = spawn(
  process.execPath,
  [
    '--enable-source-maps',
    ...(process.env.RUN_TS_NODE_ARGS?.split(' ').filter(Boolean) ?? []),
    outfile,
    ...args,
  ],
  {
    stdio: 'inherit',
  },
);
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
