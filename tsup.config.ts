import { defineConfig } from 'tsup';
import { entryPoints } from './entry-points.js';

export default defineConfig({
  entry: entryPoints,
  format: ['esm'],
  dts: true,
  sourcemap: true,
  clean: true,
  target: 'node20',
  platform: 'node',
  splitting: true,
});
