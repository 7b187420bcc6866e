#!/usr/bin/env node
// Fails when package-lock.json lacks a package that one of its packages lists as an optional
// dependency (a native binary for another platform: @rollup/rollup-darwin-arm64, …). npm writes
// such a lockfile when the registry lacks one of those packages at install time, and `npm ci` then
// refuses it on every machine ("Missing: … from lock file"). docs/support.md explains the fix.
import { readFileSync } from 'node:fs';

const lock = JSON.parse(readFileSync(new URL('../package-lock.json', import.meta.url), 'utf8'));
const packages = lock.packages ?? {};

/** Where Node would find `name` from the package at `path` (its own node_modules, then up). */
function resolves(path, name) {
  let base = path;
  for (;;) {
    if (packages[`${base ? `${base}/` : ''}node_modules/${name}`]) return true;
    if (!base) return false;
    const index = base.lastIndexOf('/node_modules/');
    base = index < 0 ? '' : base.slice(0, index);
  }
}

const missing = [];
for (const [path, entry] of Object.entries(packages)) {
  for (const name of Object.keys(entry.optionalDependencies ?? {})) {
    if (!resolves(path, name))
      missing.push(`${name} (optional dependency of ${path || 'the root'})`);
  }
}
if (missing.length) {
  process.stderr.write(
    `package-lock.json lacks ${missing.length} optional platform packages, so \`npm ci\` will fail:\n` +
      missing.map((line) => `  ${line}\n`).join('') +
      'Regenerate it (rm -rf node_modules package-lock.json && npm install); if the registry still\n' +
      'lacks one, pin its parent to a release whose platform packages all exist (see docs/support.md).\n',
  );
  process.exit(1);
}
process.stdout.write(
  `package-lock.json: every optional platform package is locked (${Object.keys(packages).length} entries)\n`,
);
