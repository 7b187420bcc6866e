#!/usr/bin/env node
// Run by `prepack` after the build: the package leaves source maps out (they were two thirds of its
// unpacked size, see docs/performance.md), so the shipped files must not point at them either.
// Removes the `//# sourceMappingURL=` line of every dist/*.js and the maps themselves; a plain
// `npm run build` keeps both for local debugging.
import { readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const dist = join(import.meta.dirname ?? new URL('.', import.meta.url).pathname, '..', 'dist');
let stripped = 0;
for (const file of readdirSync(dist, { recursive: true })) {
  const path = join(dist, String(file));
  if (path.endsWith('.map')) {
    rmSync(path);
  } else if (path.endsWith('.js')) {
    const text = readFileSync(path, 'utf8');
    const without = text.replace(/\n\/\/# sourceMappingURL=\S+\s*$/, '\n');
    if (without !== text) {
      writeFileSync(path, without);
      stripped += 1;
    }
  }
}
process.stdout.write(`strip-source-maps: ${stripped} files no longer point at a source map\n`);
