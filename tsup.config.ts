import { defineConfig } from 'tsup';
import { entryPoints } from './entry-points.js';

export default defineConfig({
  // The command line is a bin, not an export.
  entry: { ...entryPoints, cli: 'cli/bin.ts' },
  format: ['esm'],
  dts: true,
  sourcemap: true,
  clean: true,
  target: 'node20',
  platform: 'node',
  splitting: true,
});
