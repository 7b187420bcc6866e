import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Sandbox } from '../../sandbox/index.js';

/** Built by ./global-setup.ts before the tests. */
export const CLI_FILE = join(
  dirname(fileURLToPath(import.meta.url)),
  '..',
  '..',
  '.test-dist',
  'cli.js',
);

export interface CliRun {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the built command (`node .test-dist/cli.js …`) with pipes, so it sees no terminal. */
export function runCli(
  args: string[],
  options: { cwd?: string; env?: Record<string, string> } = {},
): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI_FILE, ...args], {
      cwd: options.cwd,
      // A clean environment: no variable of the test machine leaks into a config placeholder.
      env: { PATH: process.env.PATH ?? '', ...options.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
    });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      stderr += chunk;
    });
    child.on('error', reject);
    child.on('close', (status) => resolve({ status, stdout, stderr }));
  });
}

/** A scratch folder with helpers to write files into it. */
export async function scratchFolder() {
  const folder = await mkdtemp(join(tmpdir(), 'contact-sync-e2e-'));
  return {
    folder,
    path: (name: string) => join(folder, name),
    async write(name: string, content: string | object): Promise<string> {
      const path = join(folder, name);
      await writeFile(path, typeof content === 'string' ? content : JSON.stringify(content));
      return path;
    },
    remove: () => rm(folder, { recursive: true, force: true }),
  };
}

/**
 * A config file's content for the sandbox: its store configs (literal credentials are allowed on
 * a loopback URL) with short retry delays, so faulted requests are retried at once.
 */
export function sandboxConfig(
  sandbox: Sandbox,
  retry: Record<string, unknown> | false = { retries: 8, minTimeout: 0, maxTimeout: 5 },
  extra: Record<string, unknown> = {},
) {
  return {
    defaultCountry: 'FR',
    stores: sandbox.storeConfigs().map((store) => ({ ...store, retry, ...extra })),
  };
}

/** The phones (E.164) each emulator holds, sorted. */
export function heldPhones(sandbox: Sandbox): Record<string, string[]> {
  return Object.fromEntries(
    Object.entries(sandbox.emulators).map(([name, emulator]) => [
      name,
      emulator
        .contacts()
        .map((contact) => contact.phone)
        .sort(),
    ]),
  );
}

/** `n` valid CSV rows with distinct French mobile numbers. */
export function csvRows(n: number, from = 1): string[] {
  return Array.from({ length: n }, (_, index) => {
    const number = from + index;
    return `k${number},06${String(10_000_000 + number).slice(-8)},First${number},Last${number},Company ${number}`;
  });
}

export const CSV_HEADER = 'key,phone,firstName,lastName,company';

/** The E.164 form of the phones `csvRows(n, from)` writes, sorted. */
export function e164Phones(n: number, from = 1): string[] {
  return Array.from(
    { length: n },
    (_, index) => `+336${String(10_000_000 + from + index).slice(-8)}`,
  ).sort();
}

/** A config file's `${NAME}` placeholder, filled from the environment by the command. */
export const placeholder = (name: string) => `$\{${name}}`;
