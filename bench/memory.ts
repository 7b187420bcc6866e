import { spawn } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { build } from 'esbuild';
import type { RemoteSandbox } from './sandbox-process.js';

export interface MemoryRun {
  rows: number;
  seconds: number;
  /** Peak RSS (MB) of the command over the first 10 %, 50 % and 100 % of the run's duration. */
  peakAt: [number, number, number];
  exitCode: number | null;
}

/** Bundles the command line into the project's cache folder (dependencies stay external). */
export async function buildCli(): Promise<string> {
  const folder = resolve('node_modules/.cache/contact-sync-bench');
  await mkdir(folder, { recursive: true });
  const outfile = join(folder, 'cli.mjs');
  await build({
    entryPoints: ['cli/bin.ts'],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    packages: 'external',
    logLevel: 'warning',
  });
  return outfile;
}

/** Writes `rows` contacts as CSV, streamed (the file is never held in memory). */
async function writeCsv(path: string, rows: number): Promise<void> {
  const out = createWriteStream(path);
  const write = (text: string) =>
    out.write(text) ? Promise.resolve() : new Promise<void>((done) => out.once('drain', done));
  await write('key,phone,firstName,lastName,company\n');
  let chunk = '';
  for (let index = 0; index < rows; index += 1) {
    const phone = `+3361${String(index % 10_000_000).padStart(7, '0')}`;
    chunk += `crm-${index},${phone},First${index},Last${index},Company ${index % 100}\n`;
    if (chunk.length > 64_000) {
      await write(chunk);
      chunk = '';
    }
  }
  await write(chunk);
  await new Promise<void>((done, fail) =>
    out.end((error?: Error | null) => (error ? fail(error) : done())),
  );
}

/** The resident set size of a process in MB, from /proc (Linux). */
async function rssOf(pid: number): Promise<number | undefined> {
  try {
    const status = await readFile(`/proc/${pid}/status`, 'utf8');
    const match = /VmRSS:\s+(\d+) kB/.exec(status);
    return match ? Number(match[1]) / 1024 : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Runs `contact-sync push` and samples its RSS every 50 ms; the peaks are taken over the first
 * 10 %, 50 % and 100 % of the run's duration. Its stdout goes to /dev/null: written to a pipe, the
 * dry run's output outruns the reader and the command buffers it (see docs/performance.md).
 */
async function runPush(cli: string, args: string[], rows: number): Promise<MemoryRun> {
  const started = performance.now();
  const child = spawn(process.execPath, [cli, 'push', ...args], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-2000);
  });
  const exited = new Promise<number | null>((done) => child.on('exit', (code) => done(code)));
  let running = true;
  void exited.then(() => {
    running = false;
  });
  const samples: { at: number; rss: number }[] = [];
  while (running) {
    const rss = await rssOf(child.pid as number);
    if (rss !== undefined) samples.push({ at: performance.now() - started, rss });
    await new Promise((wait) => setTimeout(wait, 50));
  }
  const exitCode = await exited;
  if (exitCode !== 0) throw new Error(`contact-sync push exited ${exitCode}: ${stderr}`);
  const duration = performance.now() - started;
  const peakUntil = (share: number) =>
    Math.max(0, ...samples.filter((sample) => sample.at <= share * duration).map((s) => s.rss));
  return {
    rows,
    seconds: duration / 1000,
    peakAt: [peakUntil(0.1), peakUntil(0.5), peakUntil(1)],
    exitCode,
  };
}

/**
 * Row 4: a dry run over `dryRows` rows, then a real push of `pushRows` rows to the sandbox, with
 * the command built from cli/ into the cache folder.
 */
export async function measureMemory(
  sandbox: RemoteSandbox,
  options: { dryRows: number; pushRows: number },
): Promise<{ dryRun: MemoryRun; push: MemoryRun }> {
  const cli = await buildCli();
  const folder = await mkdtemp(join(tmpdir(), 'contact-sync-bench-'));
  try {
    const config = join(folder, 'config.json');
    // The sandbox's stores, without Callbell's client-side limit of 300/s (a real vendor's).
    const stores = sandbox.configs.map((item) => ({ ...item, rateLimit: false }));
    await writeFile(config, JSON.stringify({ stores, defaultCountry: 'FR' }));

    const dryCsv = join(folder, 'dry.csv');
    await writeCsv(dryCsv, options.dryRows);
    const dryRun = await runPush(cli, [dryCsv, '--config', config, '--dry-run'], options.dryRows);
    await rm(dryCsv);

    await sandbox.reset();
    const pushCsv = join(folder, 'push.csv');
    await writeCsv(pushCsv, options.pushRows);
    const report = join(folder, 'report.ndjson');
    const push = await runPush(
      cli,
      [pushCsv, '--config', config, '--report', report, '--concurrency', '16'],
      options.pushRows,
    );
    return { dryRun, push };
  } finally {
    await rm(folder, { recursive: true, force: true });
    await sandbox.reset();
  }
}
