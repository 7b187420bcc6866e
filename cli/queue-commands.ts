import { invalidConfig } from '../src/errors.js';
import type { Logger } from '../src/logger.js';
import { isRedisUnreachable, redisConnectionIssue } from '../src/redis/connection.js';
import type { PushReport } from '../src/sync/index.js';
import type { CliAccounts } from './accounts.js';
import type { CliConfig } from './config.js';
import { formatOf, InputFileError, readRecords } from './input.js';
import { createSummary } from './summary.js';
import { textTable } from './text-table.js';

/** The streams and signal `runCli` gives each command. */
interface CommandIo {
  out: NodeJS.WritableStream;
  err: NodeJS.WritableStream;
  signal?: AbortSignal;
}

/** The queue every command uses unless `--name` says otherwise. */
export const DEFAULT_QUEUE_NAME = 'contact-sync';

// contact-sync/queue loads bullmq and ioredis (optional peer dependencies): only these commands
// import it, when they run, so `push` and `demo` work without them.
const loadQueue = () => import('../queue/index.js');

export interface QueuePushOptions extends CommandIo {
  file: string;
  /** The Redis URL (`--queue`). */
  redis: string;
  name?: string;
  /** `--account`: the account's queue (workers run with `--accounts`). */
  account?: string;
}

/**
 * `contact-sync push --queue redis://… <file>`: enqueues every row for the workers instead of
 * sending it. A row that cannot be a record (no key) is reported and left out. Resolves 0 when
 * every row was enqueued, 1 otherwise.
 */
export function queuePushCommand(options: QueuePushOptions): Promise<number> {
  return withRedis(options, '--queue', () => enqueueFile(options));
}

async function enqueueFile(options: QueuePushOptions): Promise<number> {
  const { createSyncQueue } = await loadQueue();
  const format = formatOf(options.file);
  const name = options.name ?? DEFAULT_QUEUE_NAME;
  const queue = createSyncQueue({
    connection: options.redis,
    name,
    onWarning: (message) => options.err.write(`${message}\n`),
  });
  let rejected = 0;
  let rows = 0;
  async function* records() {
    for await (const row of readRecords(options.file, format)) {
      if (options.signal?.aborted) return;
      rows += 1;
      if (row.problem) {
        rejected += 1;
        options.err.write(
          `${options.file}:${row.position}: not enqueued: ${row.problem.path}: ${row.problem.message}\n`,
        );
        continue;
      }
      yield { key: row.key, contact: row.contact as never };
    }
  }
  try {
    const { enqueued } = await queue.enqueue(
      records(),
      options.account === undefined ? undefined : { account: options.account },
    );
    if (rows === 0) throw new InputFileError(`${options.file}: no records`);
    options.out.write(
      `Enqueued ${enqueued} records on queue '${name}'${options.account === undefined ? '' : ` for account '${options.account}'`} at ${redactUrl(options.redis)}` +
        `${rejected ? `; ${rejected} rows left out` : ''}.\n`,
    );
  } finally {
    await queue.close();
  }
  if (options.signal?.aborted) options.err.write('Stopped before the end of the file.\n');
  return rejected || options.signal?.aborted ? 1 : 0;
}

export interface WorkerCommandOptions extends CommandIo {
  /** `--config`'s stores; or `accounts` (`--accounts`). */
  config?: { config: CliConfig };
  /** `--accounts FILE|MODULE`: many accounts instead of one config. */
  accounts?: CliAccounts;
  /** The Redis URL (`--redis`). */
  redis: string;
  name?: string;
  concurrency?: number;
  /** Summary printed every this many ms while running. Default 10000; 0 for none. */
  summaryEveryMs?: number;
  /** `CONTACT_SYNC_LOG`'s logger, given to the worker and its stores. */
  logger?: Logger;
}

/**
 * `contact-sync worker --config … --redis redis://…`: takes jobs until `signal` fires (SIGINT;
 * SIGTERM is listened to here as well), then closes gracefully: the jobs in flight finish or go
 * back to the queue. Resolves 0 after a clean close.
 */
export function workerCommand(options: WorkerCommandOptions): Promise<number> {
  return withRedis(options, '--redis', () => runWorker(options));
}

async function runWorker(options: WorkerCommandOptions): Promise<number> {
  const { createSyncWorker } = await loadQueue();
  const name = options.name ?? DEFAULT_QUEUE_NAME;
  const stores = options.config?.config.stores;
  const providers = options.config?.config.providers ?? options.accounts?.providers;
  // Counts records, not tries: a try that will be retried is only counted as such, and a job
  // that failed for good and then succeeded (after `failed --retry`) is counted once, as done.
  // With accounts, each vendor's row counts every account's records.
  const summary = createSummary(
    stores?.map((store) => store.provider) ?? ['smspartner', 'callbell', 'notificore'],
  );
  const failedForGood = new Map<string, PushReport>();
  let retried = 0;
  const worker = createSyncWorker({
    connection: options.redis,
    name,
    ...(options.accounts ? { accounts: options.accounts.resolver } : { stores }),
    ...(providers ? { providers } : {}),
    ...(options.concurrency ? { concurrency: options.concurrency } : {}),
    ...(options.logger ? { logger: options.logger } : {}),
    ...(options.config?.config.defaultCountry
      ? { defaultCountry: options.config.config.defaultCountry }
      : {}),
    onReport: (report: PushReport, job) => {
      if (!job.final) {
        retried += 1;
        return;
      }
      const id = job.account ? `${job.account}/${job.id}` : job.id;
      if (report.results.some((result) => result.status === 'failed')) {
        failedForGood.set(id, report);
        return;
      }
      failedForGood.delete(id);
      summary.add(report);
    },
    onError: (error) => options.err.write(`worker: ${error.message}\n`),
    onWarning: (message) => options.err.write(`${message}\n`),
  });
  const stopped = new AbortController();
  const stop = () => stopped.abort();
  options.signal?.addEventListener('abort', stop, { once: true });
  process.once('SIGTERM', stop);
  const every = options.summaryEveryMs ?? 10_000;
  const timer = every
    ? setInterval(
        () => options.err.write(progressLine(summary.records + failedForGood.size, retried)),
        every,
      )
    : undefined;
  try {
    await worker.ready();
    options.err.write(
      `Worker on queue '${name}' at ${redactUrl(options.redis)}, ${stores ? `${stores.length} stores` : `accounts from ${options.accounts?.names.length ? `${options.accounts.names.length} in the file` : 'the module'}`}; ` +
        'Ctrl-C or SIGTERM to stop.\n',
    );
    if (options.signal?.aborted) stop();
    if (!stopped.signal.aborted) {
      await new Promise((resolve) =>
        stopped.signal.addEventListener('abort', resolve, { once: true }),
      );
    }
    // The command line (cli/bin.ts) says "Stopping…" when the signal comes; not said twice.
  } finally {
    clearInterval(timer);
    process.off('SIGTERM', stop);
    options.signal?.removeEventListener('abort', stop);
    await worker.close();
  }
  for (const report of failedForGood.values()) summary.add(report);
  options.out.write(`${summary.render()}\n`);
  return 0;
}

function progressLine(records: number, retried: number): string {
  return `worker: ${records} records done${retried ? `, ${retried} tries to be retried` : ''}\n`;
}

export interface FailedCommandOptions extends CommandIo {
  /** The Redis URL (`--redis`). */
  redis: string;
  name?: string;
  /** Sends every failed job back to the queue after listing it. */
  retry?: boolean;
  /** Most jobs listed. Default 100. */
  limit?: number;
  /** `--account`: that account's failed jobs. */
  account?: string;
}

/**
 * `contact-sync failed --redis … [--retry]`: lists the failed jobs, one JSON line each
 * (`{ id, key, attemptsMade, failedAt, errors: [{ provider, code, message }] }`, no secret, no
 * phone), then with `--retry` sends every failed job back to the queue. Resolves 0.
 */
export function failedCommand(options: FailedCommandOptions): Promise<number> {
  return withRedis(options, '--redis', () => listFailed(options));
}

async function listFailed(options: FailedCommandOptions): Promise<number> {
  const { createSyncQueue } = await loadQueue();
  const name = options.name ?? DEFAULT_QUEUE_NAME;
  const queue = createSyncQueue({
    connection: options.redis,
    name,
    onWarning: (message) => options.err.write(`${message}\n`),
  });
  try {
    const scope = options.account === undefined ? {} : { account: options.account };
    const { failed: total } = await queue.counts(scope);
    const jobs = await queue.failed({ limit: options.limit ?? 100, ...scope });
    for (const job of jobs) {
      const line = {
        id: job.id,
        key: job.key,
        attemptsMade: job.attemptsMade,
        failedAt: job.failedAt ? new Date(job.failedAt).toISOString() : undefined,
        errors: job.errors.length
          ? job.errors.map((error) => ({
              provider: error.provider,
              code: error.code,
              message: error.message,
            }))
          : [{ message: job.reason }],
      };
      options.out.write(`${JSON.stringify(line)}\n`);
    }
    const shown = jobs.length < total ? ` (${jobs.length} shown)` : '';
    options.err.write(`${total} failed jobs on queue '${name}'${shown}.\n`);
    if (options.retry && total) {
      const retried = await queue.retryFailed(scope);
      options.err.write(`${retried} jobs sent back to the queue.\n`);
    }
  } finally {
    await queue.close();
  }
  return 0;
}

export interface StatusCommandOptions extends CommandIo {
  /** The Redis URL (`--redis`). */
  redis: string;
  name?: string;
  /** `--account`: that account only. Default: every account, and the queue without one. */
  account?: string;
}

/**
 * `contact-sync status --redis … [--account A]`: one row per account (and `-` for the queue of
 * workers without accounts, when it has jobs): jobs waiting, active, delayed, failed and
 * completed, the completion rate over the last minute, and the time left at that rate.
 */
export function statusCommand(options: StatusCommandOptions): Promise<number> {
  return withRedis(options, '--redis', () => printStatus(options));
}

async function printStatus(options: StatusCommandOptions): Promise<number> {
  const { createSyncQueue } = await loadQueue();
  const name = options.name ?? DEFAULT_QUEUE_NAME;
  const queue = createSyncQueue({
    connection: options.redis,
    name,
    onWarning: (message) => options.err.write(`${message}\n`),
  });
  try {
    const accounts: (string | undefined)[] =
      options.account === undefined ? [undefined, ...(await queue.accounts())] : [options.account];
    const rows: string[][] = [];
    for (const account of accounts) {
      const scope = account === undefined ? {} : { account };
      const counts = await queue.counts(scope);
      const left = counts.waiting + counts.active + counts.delayed;
      if (account === undefined && left + counts.failed + counts.completed === 0) continue;
      const rate = await queue.throughput(scope);
      rows.push([
        account ?? '-',
        String(counts.waiting),
        String(counts.active),
        String(counts.delayed),
        String(counts.failed),
        String(counts.completed),
        rate ? rate.toFixed(1) : '0',
        left === 0 ? 'done' : rate ? duration(left / rate) : '-',
      ]);
    }
    const header = [
      'account',
      'waiting',
      'active',
      'delayed',
      'failed',
      'completed',
      'per s',
      'ETA',
    ];
    options.out.write(`${textTable(header, rows).join('\n')}\n`);
    options.err.write(
      `Queue '${name}' at ${redactUrl(options.redis)}: ${rows.length} account${rows.length === 1 ? '' : 's'}; rate over the last minute.\n`,
    );
  } finally {
    await queue.close();
  }
  return 0;
}

/** `1h 05m`, `4m 12s`, `37s`. */
function duration(seconds: number): string {
  const s = Math.ceil(seconds);
  if (s >= 3600)
    return `${Math.floor(s / 3600)}h ${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
  if (s >= 60) return `${Math.floor(s / 60)}m ${String(s % 60).padStart(2, '0')}s`;
  return `${s}s`;
}

/**
 * Runs a command that needs Redis: a URL that is not `redis://`, `rediss://` or `unix://` is an
 * `invalid_config` naming the option (exit status 2, from runCli); a Redis that cannot be reached
 * is one line naming it (no password) and exit status 2, within the connect timeout.
 */
async function withRedis(
  options: CommandIo & { redis: string },
  flag: string,
  run: () => Promise<number>,
): Promise<number> {
  const issue = redisConnectionIssue(options.redis, flag);
  if (issue) throw invalidConfig([issue]);
  try {
    return await run();
  } catch (error) {
    if (!isRedisUnreachable(error)) throw error;
    options.err.write(`contact-sync: ${error.message}\nNothing was sent.\n`);
    return 2;
  }
}

/** A Redis URL without its password, for messages. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return 'the Redis URL';
  }
}
