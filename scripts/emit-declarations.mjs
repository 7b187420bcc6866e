#!/usr/bin/env node
// Writes the package's declarations (.d.ts) with the TypeScript compiler: `node
// scripts/emit-declarations.mjs <outDir> <entry.ts>...`. tsup.config.ts runs it next to the
// JavaScript build (see there why not tsup's own `dts`). Prints only errors; exits 1 on one.
import ts from 'typescript';

const [outDir, ...entries] = process.argv.slice(2);
const { config } = ts.readConfigFile('tsconfig.json', ts.sys.readFile);
const { options } = ts.parseJsonConfigFileContent(config, ts.sys, '.');
const program = ts.createProgram(entries, {
  ...options,
  noEmit: false,
  declaration: true,
  emitDeclarationOnly: true,
  rootDir: '.',
  outDir,
  // `paths` serves the examples (they import the package by name); the published sources never do.
  paths: undefined,
  // No type check here: `npm run typecheck` does it (CI runs it before the build). The checker
  // then only infers what a declaration needs, half the time of a full check; the output is the same.
  noCheck: true,
});
const result = program.emit();
// A declaration that cannot be written (an inferred type it cannot name, say) is still an error.
const diagnostics = [...program.getOptionsDiagnostics(), ...result.diagnostics];
if (diagnostics.length > 0 || result.emitSkipped) {
  process.stderr.write(
    ts.formatDiagnosticsWithColorAndContext(diagnostics, {
      getCanonicalFileName: (name) => name,
      getCurrentDirectory: ts.sys.getCurrentDirectory,
      getNewLine: () => '\n',
    }),
  );
  process.exit(1);
}
