import { parseArgs } from 'node:util';
import { isContactSyncError } from '../src/errors.js';
import { ConfigError, loadConfig } from './config.js';
import { demoCommand } from './demo.js';
import { InputFileError, type ReadOptions } from './input.js';
import { pushCommand, UsageError } from './push.js';
import { failedCommand, queuePushCommand, workerCommand } from './queue-commands.js';
import { sandboxCommand } from './sandbox.js';
import { OutputFileError } from './writers.js';

const USAGE = `Usage:
  contact-sync push <file.csv|.json|.ndjson> [--config contact-sync.config.json] [--only a,b]
                    [--dry-run] [--concurrency N] [--links PATH] [--report PATH] [--rejects PATH]
                    [--encoding utf8|latin1] [--delimiter ,|;|tab]
  contact-sync push --queue redis://host:6379 <file> [--name QUEUE]
  contact-sync worker --redis redis://host:6379 [--config contact-sync.config.json] [--name QUEUE]
                      [--concurrency N]
  contact-sync failed --redis redis://host:6379 [--name QUEUE] [--limit N] [--retry]
  contact-sync sandbox [--port N] [--fault-rate R] [--seed N] [--latency MS]
  contact-sync demo

Exit status: 0 every row synced, 1 some rows failed, 2 usage, config or input-file error (nothing sent).
`;

export interface CliIo {
  argv: string[];
  env: Record<string, string | undefined>;
  out: NodeJS.WritableStream;
  err: NodeJS.WritableStream & { isTTY?: boolean };
  signal?: AbortSignal;
}

/** Runs one command; resolves its exit status. Never throws. */
export async function runCli(io: CliIo): Promise<number> {
  const [command, ...rest] = io.argv;
  try {
    if (command === 'push') return await push(rest, io);
    if (command === 'worker') return await worker(rest, io);
    if (command === 'failed') return await failed(rest, io);
    if (command === 'sandbox') return await sandboxCommand(parseSandboxFlags(rest), io);
    if (command === 'demo') return await demoCommand(io);
    if (command === undefined || command === 'help' || command === '--help' || command === '-h') {
      io.out.write(USAGE);
      return command === undefined ? 2 : 0;
    }
    throw new UsageError(`unknown command '${command}'`);
  } catch (error) {
    if (error instanceof UsageError) {
      io.err.write(`contact-sync: ${error.message}\n\n${USAGE}`);
      return 2;
    }
    if (
      error instanceof ConfigError ||
      error instanceof InputFileError ||
      error instanceof OutputFileError
    ) {
      io.err.write(`contact-sync: ${error.message}\nNothing was sent.\n`);
      return 2;
    }
    if (isContactSyncError(error) && error.code === 'invalid_config') {
      io.err.write(`contact-sync: ${error.message}\nNothing was sent.\n`);
      return 2;
    }
    io.err.write(`contact-sync: unexpected error: ${(error as Error)?.message ?? String(error)}\n`);
    return 1;
  }
}

async function push(args: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parse(() =>
    parseArgs({
      args,
      allowPositionals: true,
      options: {
        config: { type: 'string', default: 'contact-sync.config.json' },
        only: { type: 'string' },
        'dry-run': { type: 'boolean', default: false },
        concurrency: { type: 'string' },
        links: { type: 'string' },
        report: { type: 'string' },
        rejects: { type: 'string' },
        encoding: { type: 'string' },
        delimiter: { type: 'string' },
        queue: { type: 'string' },
        name: { type: 'string' },
      },
    }),
  );
  if (positionals.length !== 1) throw new UsageError('push takes exactly one input file');
  const file = positionals[0] as string;
  if (values.queue !== undefined) {
    return queuePushCommand({
      file,
      redis: values.queue,
      name: values.name,
      out: io.out,
      err: io.err,
      signal: io.signal,
    });
  }
  const concurrency =
    values.concurrency === undefined
      ? undefined
      : positiveInteger('--concurrency', values.concurrency);
  const config = await loadConfig(values.config as string, io.env);
  return pushCommand({
    file,
    config,
    only: values.only
      ?.split(',')
      .map((name: string) => name.trim())
      .filter(Boolean),
    dryRun: values['dry-run'],
    concurrency,
    links: values.links,
    report: values.report,
    rejects: values.rejects,
    read: readOptions(values.encoding, values.delimiter),
    signal: io.signal,
    out: io.out,
    err: io.err,
  });
}

async function worker(args: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parse(() =>
    parseArgs({
      args,
      allowPositionals: true,
      options: {
        config: { type: 'string', default: 'contact-sync.config.json' },
        redis: { type: 'string' },
        name: { type: 'string' },
        concurrency: { type: 'string' },
      },
    }),
  );
  if (positionals.length) throw new UsageError('worker takes no arguments');
  if (!values.redis) throw new UsageError('worker needs --redis redis://host:6379');
  const concurrency =
    values.concurrency === undefined
      ? undefined
      : positiveInteger('--concurrency', values.concurrency);
  const config = await loadConfig(values.config as string, io.env);
  return workerCommand({
    config,
    redis: values.redis,
    name: values.name,
    concurrency,
    out: io.out,
    err: io.err,
    signal: io.signal,
  });
}

async function failed(args: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parse(() =>
    parseArgs({
      args,
      allowPositionals: true,
      options: {
        redis: { type: 'string' },
        name: { type: 'string' },
        limit: { type: 'string' },
        retry: { type: 'boolean', default: false },
      },
    }),
  );
  if (positionals.length) throw new UsageError('failed takes no arguments');
  if (!values.redis) throw new UsageError('failed needs --redis redis://host:6379');
  const limit = values.limit === undefined ? undefined : positiveInteger('--limit', values.limit);
  return failedCommand({
    redis: values.redis,
    name: values.name,
    retry: values.retry,
    limit,
    out: io.out,
    err: io.err,
    signal: io.signal,
  });
}

function parseSandboxFlags(args: string[]) {
  const { values, positionals } = parse(() =>
    parseArgs({
      args,
      allowPositionals: true,
      options: {
        port: { type: 'string', default: '0' },
        'fault-rate': { type: 'string', default: '0' },
        seed: { type: 'string', default: '1' },
        latency: { type: 'string', default: '0' },
      },
    }),
  );
  if (positionals.length) throw new UsageError('sandbox takes no arguments');
  const faultRate = Number(values['fault-rate']);
  if (!(faultRate >= 0 && faultRate <= 1))
    throw new UsageError('--fault-rate must be a number from 0 to 1');
  return {
    port: nonNegativeInteger('--port', values.port as string),
    faultRate,
    seed: nonNegativeInteger('--seed', values.seed as string),
    latencyMs: nonNegativeInteger('--latency', values.latency as string),
  };
}

/** `--encoding utf8|latin1` and `--delimiter ,|;|tab|<one character>` (default: from the header). */
function readOptions(encoding?: string, delimiter?: string): ReadOptions {
  const read: ReadOptions = {};
  if (encoding !== undefined) {
    const name = encoding.toLowerCase().replace('-', '');
    if (name === 'utf8') read.encoding = 'utf8';
    else if (name === 'latin1' || name === 'iso88591') read.encoding = 'latin1';
    else throw new UsageError('--encoding must be utf8 or latin1');
  }
  if (delimiter !== undefined) {
    read.delimiter = delimiter === 'tab' || delimiter === '\\t' ? '\t' : delimiter;
    if ([...read.delimiter].length !== 1 || /["\r\n]/.test(read.delimiter)) {
      throw new UsageError('--delimiter must be one character, such as , or ; (or tab)');
    }
  }
  return read;
}

/** Runs node's parseArgs, turning its complaints into usage errors. */
function parse<T>(parseFlags: () => T): T {
  try {
    return parseFlags();
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}

function positiveInteger(flag: string, value: string): number {
  const number = Number(value);
  if (!Number.isInteger(number) || number < 1)
    throw new UsageError(`${flag} must be a whole number ≥ 1`);
  return number;
}

function nonNegativeInteger(flag: string, value: string): number {
  const number = Number(value);
  if (!Number.isInteger(number) || number < 0)
    throw new UsageError(`${flag} must be a whole number ≥ 0`);
  return number;
}
