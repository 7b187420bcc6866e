import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { promisify } from 'node:util';
import { median } from './stats.js';

const run = promisify(execFile);

export interface FootprintResult {
  /** Brotli size of each entry point with its dependencies, from size-limit, in kB. */
  sizes: { name: string; kB: number; limitKB: number; passed: boolean }[];
  /** Median ms that `import()` of the main entry adds to a bare `node` start. */
  coldImportMs: number;
  coldImportSpread: [number, number];
  tarball: { kB: number; unpackedKB: number; files: number };
}

/** Row 6: needs dist/ (`npm run build`). */
export async function measureFootprint(options: { importRuns: number }): Promise<FootprintResult> {
  if (!existsSync('dist/index.js')) throw new Error('dist/ is missing: run `npm run build` first');
  const { stdout } = await run('npx', ['size-limit', '--json'], { maxBuffer: 1 << 24 }).catch(
    // size-limit exits 1 when a limit is exceeded, and still prints its JSON.
    (error: { stdout?: string }) => ({ stdout: error.stdout ?? '[]' }),
  );
  const reports = JSON.parse(stdout) as { name: string; size: number; passed?: boolean }[];
  const limits = JSON.parse((await import('node:fs')).readFileSync('.size-limit.json', 'utf8')) as {
    name: string;
    limit: string;
  }[];
  const sizes = reports.map((report) => ({
    name: report.name,
    kB: report.size / 1000,
    limitKB: Number.parseFloat(limits.find((item) => item.name === report.name)?.limit ?? 'NaN'),
    passed: report.passed !== false,
  }));

  const entry = resolve('dist/index.js');
  const bare: number[] = [];
  const imported: number[] = [];
  for (let index = 0; index < options.importRuns; index += 1) {
    bare.push(await timeNode('0'));
    imported.push(await timeNode(`await import(${JSON.stringify(entry)})`));
  }
  const extra = imported.map((value, index) => value - (bare[index] as number));

  // --ignore-scripts: prepack would rebuild dist/ (and print to stdout); measure the build above.
  const packed = await run('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], {
    maxBuffer: 1 << 24,
  });
  const [pack] = JSON.parse(packed.stdout) as {
    size: number;
    unpackedSize: number;
    entryCount: number;
  }[];
  return {
    sizes,
    coldImportMs: median(extra),
    coldImportSpread: [Math.min(...extra), Math.max(...extra)],
    tarball: {
      kB: (pack?.size ?? 0) / 1000,
      unpackedKB: (pack?.unpackedSize ?? 0) / 1000,
      files: pack?.entryCount ?? 0,
    },
  };
}

/** Wall ms of `node --input-type=module -e code`. */
async function timeNode(code: string): Promise<number> {
  const started = performance.now();
  await run(process.execPath, ['--input-type=module', '-e', code]);
  return performance.now() - started;
}
