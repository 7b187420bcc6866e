import { type ChildProcess, type SpawnOptions, spawn } from 'node:child_process';
import { mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

/**
 * Bundles a TypeScript entry into one ESM file that plain Node can run in a child process (Node
 * 20 cannot strip types). It lands under node_modules/.cache, so the child resolves its
 * dependencies as the library does.
 */
export async function bundleForChild(entry: URL, name: string): Promise<string> {
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
    packages: 'external',
    logLevel: 'silent',
  });
  return outfile;
}

export interface ChildExit {
  code: number | null;
  signal: string | null;
  /** stdout and stderr, interleaved as they came. */
  output: string;
}

/** Starts `node script args…`, collecting what it prints. */
export function spawnNode(
  script: string,
  args: string[] = [],
  options: SpawnOptions = {},
): { child: ChildProcess; exit: Promise<ChildExit>; output: () => string } {
  const child = spawn(process.execPath, [script, ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
    ...options,
  });
  let output = '';
  const collect = (chunk: Buffer) => {
    output += chunk.toString();
  };
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);
  const exit = new Promise<ChildExit>((resolveExit) =>
    child.once('exit', (code, signal) => resolveExit({ code, signal, output })),
  );
  return { child, exit, output: () => output };
}
