import { spawn } from 'node:child_process';
import { renameSync, rmSync, writeFileSync } from 'node:fs';
import { defineConfig } from 'tsup';
import { entryPoints } from './entry-points.js';

/**
 * Declarations come from the TypeScript compiler, not tsup's `dts` (a rollup pass that took
 * 30–120 s on a loaded machine, against under 1 s for the JavaScript): one pass over the entry
 * points' sources, in a second process that runs while esbuild writes the JavaScript. It writes
 * outside dist/ (which tsup empties when it starts); once both are done, the declarations move
 * to dist/types/ and each entry point gets the `dist/<entry>.d.ts` package.json `exports` names,
 * re-exporting its emitted declarations.
 */
const staging = `node_modules/.cache/contact-sync/types-${process.pid}`;

function startDeclarations(): Promise<void> {
  rmSync(staging, { recursive: true, force: true });
  const child = spawn(
    process.execPath,
    ['scripts/emit-declarations.mjs', staging, ...Object.values(entryPoints)],
    { stdio: 'inherit' },
  );
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('exit', (code) =>
      code === 0 ? resolve() : reject(new Error(`declarations failed (exit ${code})`)),
    );
  });
}

const declarations = startDeclarations();
// Reported when the build awaits it, not as an unhandled rejection before.
declarations.catch(() => undefined);

export default defineConfig({
  // The command line is a bin, not an export.
  entry: { ...entryPoints, cli: 'cli/bin.ts' },
  format: ['esm'],
  dts: false,
  sourcemap: true,
  clean: true,
  target: 'node20',
  platform: 'node',
  splitting: true,
  async onSuccess() {
    await declarations;
    // tsup's clean empties dist/ of files but leaves its folders.
    rmSync('dist/types', { recursive: true, force: true });
    renameSync(staging, 'dist/types');
    for (const [name, file] of Object.entries(entryPoints)) {
      const emitted = `./types/${file.replace(/\.ts$/, '.js')}`;
      writeFileSync(`dist/${name}.d.ts`, `export * from '${emitted}';\n`);
    }
  },
});
