import { type ChildProcess, type SpawnOptions, spawn } from 'node:child_process';
import { rmSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { entryPoints } from '../../entry-points.js';
import { GENEROUS_MS } from './wait-for.js';

/**
 * The test helpers that start Node processes, in one place. Tests start a process only where the
 * process itself is under test (SIGKILL, SIGINT/SIGTERM, exit status, several workers); the rest
 * call the code in-process.
 */

/**
 * Bundles a TypeScript entry into one ESM file that plain Node can run in a child process (Node
 * 20 cannot strip types). It lands under node_modules/.cache, so the child resolves its
 * dependencies as the library does. Takes well under a second: each test file that needs a
 * child builds its own, only when it runs, and the file is removed when the test file's process
 * exits.
 */
export async function bundleForChild(
  entry: URL,
  name: string,
  options: { packageFromSources?: boolean } = {},
): Promise<string> {
  const folder = resolve('node_modules/.cache/contact-sync-test');
  await mkdir(folder, { recursive: true });
  const outfile = join(folder, `${name}-${process.pid}.mjs`);
  await build({
    entryPoints: [fileURLToPath(entry)],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    logLevel: 'silent',
    // An example imports `contact-sync` by name, as a user's code does: with
    // `packageFromSources`, those imports are this repository's sources, bundled in.
    ...(options.packageFromSources
      ? {
          alias: packageAliases(),
          external: ['ioredis', 'bullmq', '@opentelemetry/api'],
          banner: {
            js: "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);",
          },
        }
      : { packages: 'external' as const }),
  });
  process.once('exit', () => rmSync(outfile, { force: true }));
  return outfile;
}

/** `contact-sync` and `contact-sync/<entry>` → the entry's source file. */
function packageAliases(): Record<string, string> {
  const root = fileURLToPath(new URL('../../', import.meta.url));
  return Object.fromEntries(
    Object.entries(entryPoints).map(([entryName, file]) => [
      entryName === 'index' ? 'contact-sync' : `contact-sync/${entryName}`,
      join(root, file),
    ]),
  );
}

let cli: Promise<string> | undefined;

/** The command line (`cli/bin.ts`) bundled for plain Node, built once per test file. */
export function buildCli(): Promise<string> {
  cli ??= bundleForChild(new URL('../../cli/bin.ts', import.meta.url), 'cli');
  return cli;
}

export interface ChildExit {
  code: number | null;
  signal: string | null;
  stdout: string;
  stderr: string;
  /** stdout and stderr, interleaved as they came. */
  output: string;
}

export interface RunningChild {
  child: ChildProcess;
  /** Settles when the process has exited and its pipes are closed. */
  exit: Promise<ChildExit>;
  /** What it printed so far, stdout and stderr interleaved. */
  output(): string;
  /**
   * Resolves with stdout once it matches `pattern`; rejects if the process exits first, or after
   * `timeoutMs` (a generous bound by default).
   */
  printed(pattern: RegExp, what: string, timeoutMs?: number): Promise<string>;
}

/** Starts `node script args…` with piped output, collecting what it prints. */
export function spawnNode(
  script: string,
  args: string[] = [],
  options: SpawnOptions = {},
): RunningChild {
  const child = spawn(process.execPath, [script, ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
    ...options,
  });
  let stdout = '';
  let stderr = '';
  let output = '';
  const watchers = new Set<() => void>();
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
    stdout += chunk;
    output += chunk;
    for (const watcher of watchers) watcher();
  });
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk;
    output += chunk;
  });
  const exit = new Promise<ChildExit>((resolveExit, reject) => {
    child.once('error', reject);
    child.once('close', (code, signal) => resolveExit({ code, signal, stdout, stderr, output }));
  });
  exit.catch(() => undefined);

  function printed(pattern: RegExp, what: string, timeoutMs = GENEROUS_MS): Promise<string> {
    return new Promise((resolvePrinted, reject) => {
      const done = () => {
        watchers.delete(check);
        clearTimeout(timer);
      };
      const check = () => {
        if (!pattern.test(stdout)) return;
        done();
        resolvePrinted(stdout);
      };
      const timer = setTimeout(() => {
        done();
        reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}:\n${output}`));
      }, timeoutMs);
      watchers.add(check);
      exit.then(
        () => {
          done();
          reject(new Error(`the process exited before ${what}:\n${output}`));
        },
        (error) => {
          done();
          reject(error);
        },
      );
      check();
    });
  }

  return { child, exit, output: () => output, printed };
}

/** Runs the built command line in a process with pipes (no terminal) and a clean environment. */
export async function runCliProcess(
  args: string[],
  options: { cwd?: string; env?: Record<string, string> } = {},
): Promise<ChildExit> {
  return spawnNode(await buildCli(), args, {
    cwd: options.cwd,
    // No variable of the test machine leaks into a config placeholder.
    env: { PATH: process.env.PATH ?? '', ...options.env },
  }).exit;
}
