import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { entryPoints } from '../../entry-points.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
  dependencies: Record<string, string>;
  devDependencies: Record<string, string>;
};
/** Packages only the command line uses: a library user must not load them. */
const CLI_ONLY = ['commander', 'csv-parse', 'cli-progress'];

/** Every module an entry file reaches through relative imports, and the packages they import. */
function importGraph(entry: string) {
  const files = new Set<string>();
  const packages = new Map<string, string>();
  const pending = [resolve(root, entry)];
  while (pending.length) {
    const file = pending.pop() as string;
    if (files.has(file)) continue;
    files.add(file);
    const source = readFileSync(file, 'utf8');
    // Static imports and re-exports, `import type` included (it costs nothing, but says intent),
    // and dynamic import() of a string.
    const specifiers = [
      ...source.matchAll(/^\s*(?:import|export)\s[^;]*?from\s+['"]([^'"]+)['"]/gms),
      ...source.matchAll(/import\(\s*['"]([^'"]+)['"]\s*\)/g),
    ].map((match) => match[1] as string);
    for (const specifier of specifiers) {
      if (specifier.startsWith('.')) {
        const target = resolve(dirname(file), specifier.replace(/\.js$/, '.ts'));
        pending.push(existsSync(target) ? target : `${target}/index.ts`);
      } else if (!specifier.startsWith('node:')) {
        const name = specifier.startsWith('@')
          ? specifier.split('/').slice(0, 2).join('/')
          : (specifier.split('/')[0] as string);
        packages.set(name, relative(root, file));
      }
    }
  }
  return { files: [...files].map((file) => relative(root, file)), packages };
}

describe("the library's dependencies, apart from the command line's", () => {
  it.each(Object.entries(entryPoints))(
    'the %s entry point reaches no CLI-only package and nothing under cli/',
    (_name, entry) => {
      const { files, packages } = importGraph(entry);
      expect(files.length).toBeGreaterThan(0);
      expect(files.filter((file) => file.startsWith('cli/'))).toEqual([]);
      for (const name of CLI_ONLY) expect(packages.get(name), `${name} imported`).toBeUndefined();
    },
  );

  it('the command line does reach them, so the scan would notice', () => {
    const { packages } = importGraph('cli/bin.ts');
    expect(packages.has('commander')).toBe(true);
    expect(packages.has('csv-parse')).toBe(true);
  });

  it('csv-parse is bundled into the command (a dev dependency); cli-progress is gone', () => {
    expect(manifest.dependencies['csv-parse']).toBeUndefined();
    expect(manifest.devDependencies['csv-parse']).toBeDefined();
    expect(manifest.dependencies['cli-progress']).toBeUndefined();
    expect(manifest.devDependencies['cli-progress']).toBeUndefined();
  });

  it('every runtime dependency is imported by the library or the command line', () => {
    const used = new Set<string>();
    for (const entry of [...Object.values(entryPoints), 'cli/bin.ts']) {
      for (const name of importGraph(entry).packages.keys()) used.add(name);
    }
    for (const name of Object.keys(manifest.dependencies)) expect(used.has(name), name).toBe(true);
  });
});
