import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { entryPoints } from '../../entry-points.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

/** Every .ts file under `folder` (relative to the repository root). */
function sources(folder: string): string[] {
  return readdirSync(join(root, folder), { recursive: true, encoding: 'utf8' })
    .filter((file) => file.endsWith('.ts') && !file.split(sep).includes('node_modules'))
    .map((file) => join(root, folder, file));
}

/** Every module specifier of a file: imports, re-exports, `import()` and `import type`. */
function specifiers(file: string): string[] {
  const info = ts.preProcessFile(readFileSync(file, 'utf8'), true, true);
  return info.importedFiles.map((imported) => imported.fileName);
}

/** Each relative import of `files`, as [importing file, imported path from the root]. */
function relativeImports(files: string[]): [string, string][] {
  return files.flatMap((file) =>
    specifiers(file)
      .filter((specifier) => specifier.startsWith('.'))
      .map((specifier): [string, string] => [
        relative(root, file),
        relative(root, resolve(dirname(file), specifier)),
      ]),
  );
}

describe('architecture', () => {
  it('the core (src/) imports nothing from providers/, cli/, queue/ or sandbox/', () => {
    const files = sources('src');
    expect(files.length).toBeGreaterThan(20);
    const outward = relativeImports(files).filter(([, target]) => {
      const top = target.split(sep)[0];
      return top !== 'src' && !target.startsWith('node_modules');
    });
    expect(outward).toEqual([]);
    // Nor by package name: the core never reaches the layers above through the package's exports.
    const named = files.flatMap((file) =>
      specifiers(file)
        .filter(
          (specifier) => specifier === 'contact-sync' || specifier.startsWith('contact-sync/'),
        )
        .map((specifier) => [relative(root, file), specifier]),
    );
    expect(named).toEqual([]);
  });

  it('an example adapter imports the package only by name, never a relative path out of its folder', () => {
    const examples = readdirSync(join(root, 'examples'), { withFileTypes: true })
      .filter((entry) => entry.isDirectory())
      .map((entry) => entry.name);
    expect(examples).toContain('acme-provider');
    for (const example of examples) {
      const folder = join('examples', example);
      // An example may hold no TypeScript (nightly-export: a shell script calling the CLI).
      const files = sources(folder);
      const escaping = relativeImports(files).filter(
        ([, target]) => target !== folder && !target.startsWith(`${folder}${sep}`),
      );
      expect(escaping, `${folder} reaches outside itself`).toEqual([]);
      const bare = files.flatMap((file) =>
        specifiers(file).filter((specifier) => !specifier.startsWith('.')),
      );
      // Only what the example's own package.json declares, and the package's public entries.
      const manifest = JSON.parse(readFileSync(join(root, folder, 'package.json'), 'utf8'));
      const declared = new Set(
        ['dependencies', 'devDependencies', 'peerDependencies'].flatMap((field) =>
          Object.keys(manifest[field] ?? {}),
        ),
      );
      const entries = new Set(
        Object.keys(entryPoints).map((name) => (name === 'index' ? '' : `/${name}`)),
      );
      const allowed = (specifier: string) => {
        if (specifier.startsWith('node:')) return true;
        const match = /^(contact-sync)(\/.+)?$/.exec(specifier);
        if (match) return declared.has('contact-sync') && entries.has(match[2] ?? '');
        return declared.has(
          specifier.startsWith('@')
            ? specifier.split('/').slice(0, 2).join('/')
            : (specifier.split('/')[0] as string),
        );
      };
      expect(
        bare.filter((specifier) => !allowed(specifier)),
        `${folder} imports undeclared packages`,
      ).toEqual([]);
    }
  });
});
