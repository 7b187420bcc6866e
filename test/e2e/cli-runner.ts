import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { runCli as runCommand } from '../../cli/main.js';
import type { Sandbox } from '../../sandbox/index.js';

export interface CliRun {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** An in-memory stream for the command's output, which is not a terminal (as with a pipe). */
function sink() {
  let text = '';
  // Collects each write as it is made, so the text is complete when the command resolves.
  const stream = new Writable({
    write(chunk: Buffer | string, _encoding, callback) {
      text += chunk.toString();
      callback();
    },
  });
  return { stream, text: () => text };
}

/**
 * Runs the command line in-process (`runCli` of cli/main.ts) with in-memory output streams,
 * exactly as cli/bin.ts runs it, minus the process: no spawn and no build. The environment is
 * only `env`, so no variable of the test machine leaks into a config placeholder. Tests of the
 * process itself (signals, the real exit status) use `runCliProcess` of test/support.
 */
export async function runCli(
  args: string[],
  options: { env?: Record<string, string>; signal?: AbortSignal } = {},
): Promise<CliRun> {
  const out = sink();
  const err = sink();
  const status = await runCommand({
    argv: args,
    env: { ...options.env },
    out: out.stream,
    err: err.stream,
    signal: options.signal,
  });
  out.stream.end();
  err.stream.end();
  return { status, stdout: out.text(), stderr: err.text() };
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
