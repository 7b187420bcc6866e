import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  cpSync,
  existsSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { defineConfig } from 'tsup';
import { entryPoints } from './entry-points.js';

/**
 * Declarations come from the TypeScript compiler, not tsup's `dts` (a rollup pass that took
 * 30–120 s on a loaded machine, against under 1 s for the JavaScript): one pass over the entry
 * points' sources, in a second process that runs while esbuild writes the JavaScript. They are
 * written outside dist/ (which tsup empties when it starts), under a hash of every input: a build
 * whose sources, compiler settings and dependencies have not changed reuses them. Once both are
 * done, they are copied to dist/types/ and each entry point gets the `dist/<entry>.d.ts` that
 * package.json `exports` names, re-exporting its emitted declarations.
 */
const CACHE = 'node_modules/.cache/contact-sync';
/** Everything the declarations are made from (cli/ is a bin: it has none). */
const INPUTS = ['src', 'providers', 'sandbox', 'queue', 'index.ts', 'entry-points.ts'];
const SETTINGS = ['tsconfig.json', 'package-lock.json', 'scripts/emit-declarations.mjs'];

function inputsHash(): string {
  const hash = createHash('sha256');
  const files = INPUTS.flatMap((input) =>
    input.endsWith('.ts')
      ? [input]
      : readdirSync(input, { recursive: true, encoding: 'utf8' })
          .filter((file) => file.endsWith('.ts'))
          .map((file) => join(input, file)),
  );
  for (const file of [...files.sort(), ...SETTINGS]) {
    hash.update(`${file}\0`).update(readFileSync(file)).update('\0');
  }
  return hash.digest('hex').slice(0, 16);
}

function declarationsIn(folder: string): Promise<void> {
  if (existsSync(folder)) return Promise.resolve();
  // A private folder, renamed when complete: an interrupted or concurrent build never leaves a
  // half-written one under the hash.
  const staging = `${folder}.${process.pid}.tmp`;
  rmSync(staging, { recursive: true, force: true });
  const child = spawn(
    process.execPath,
    ['scripts/emit-declarations.mjs', staging, ...Object.values(entryPoints)],
    { stdio: 'inherit' },
  );
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('exit', (code) => {
      if (code !== 0) return reject(new Error(`declarations failed (exit ${code})`));
      // Only the newest set is kept.
      for (const old of readdirSync(CACHE)) {
        if (old.startsWith('types-') && !old.includes('.tmp')) {
          rmSync(join(CACHE, old), { recursive: true, force: true });
        }
      }
      renameSync(staging, folder);
      resolve();
    });
  });
}

const declarationsFolder = join(CACHE, `types-${inputsHash()}`);
const declarations = declarationsIn(declarationsFolder);
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
    // The sandbox's web page: plain files, served from next to the bundled module.
    cpSync('sandbox/ui/assets', 'dist/sandbox-ui', { recursive: true });
    cpSync(declarationsFolder, 'dist/types', { recursive: true });
    for (const [name, file] of Object.entries(entryPoints)) {
      const emitted = `./types/${file.replace(/\.ts$/, '.js')}`;
      writeFileSync(`dist/${name}.d.ts`, `export * from '${emitted}';\n`);
    }
  },
});
