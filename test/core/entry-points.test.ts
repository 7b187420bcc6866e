import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { entryPoints } from '../../entry-points.js';

const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
  exports: Record<string, string | { types: string; default: string }>;
};

describe('entry points', () => {
  it('package.json exports exactly the tsup entries, each with its types', () => {
    const exported = Object.entries(pkg.exports).filter(
      ([subpath]) => subpath !== './package.json',
    );
    const expected = Object.keys(entryPoints).map((name) => [
      name === 'index' ? '.' : `./${name}`,
      { types: `./dist/${name}.d.ts`, default: `./dist/${name}.js` },
    ]);
    expect(Object.fromEntries(exported)).toEqual(Object.fromEntries(expected));
  });

  it('every folder under providers/ is an entry point, and every entry file exists', () => {
    const providers = readdirSync(new URL('../../providers/', import.meta.url), {
      withFileTypes: true,
    })
      .filter((entry) => entry.isDirectory())
      .map((entry) => entry.name);
    for (const provider of providers) {
      expect(entryPoints[provider], `providers/${provider} has no entry point`).toBe(
        `providers/${provider}/index.ts`,
      );
    }
    for (const file of Object.values(entryPoints)) {
      expect(existsSync(new URL(`../../${file}`, import.meta.url)), file).toBe(true);
    }
  });
});
