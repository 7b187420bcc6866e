import { invalidConfig } from '../src/errors.js';
import type { Logger } from '../src/logger.js';
import { isRedisUnreachable, redisConnectionIssue } from '../src/redis/connection.js';
import type { PushReport } from '../src/sync/index.js';
import type { CliConfig } from './config.js';
import { formatOf, InputFileError, readRecords } from './input.js';
import { createSummary } from './summary.js';

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
    const { enqueued } = await queue.enqueue(records());
    if (rows === 0) throw new InputFileError(`${options.file}: no records`);
    options.out.write(
      `Enqueued ${enqueued} records on queue '${name}' at ${redactUrl(options.redis)}` +
        `${rejected ? `; ${rejected} rows left out` : ''}.\n`,
    );
  } finally {
    await queue.close();
  }
  if (options.signal?.aborted) options.err.write('Stopped before the end of the file.\n');
  return rejected || options.signal?.aborted ? 1 : 0;
}

export interface WorkerCommandOptions extends CommandIo {
  config: { config: CliConfig };
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
  const { stores, providers } = options.config.config;
  // Counts records, not tries: a try that will be retried is only counted as such, and a job
  // that failed for good and then succeeded (after `failed --retry`) is counted once, as done.
  const summary = createSummary(stores.map((store) => store.provider));
  const failedForGood = new Map<string, PushReport>();
  let retried = 0;
  const worker = createSyncWorker({
    connection: options.redis,
    name,
    stores,
    ...(providers ? { providers } : {}),
    ...(options.concurrency ? { concurrency: options.concurrency } : {}),
    ...(options.logger ? { logger: options.logger } : {}),
    ...(options.config.config.defaultCountry
      ? { defaultCountry: options.config.config.defaultCountry }
      : {}),
    onReport: (report: PushReport, job) => {
      if (!job.final) {
        retried += 1;
        return;
      }
      if (report.results.some((result) => result.status === 'failed')) {
        failedForGood.set(job.id, report);
        return;
      }
      failedForGood.delete(job.id);
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
      `Worker on queue '${name}' at ${redactUrl(options.redis)}, ${stores.length} stores; ` +
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
    const { failed: total } = await queue.counts();
    const jobs = await queue.failed({ limit: options.limit ?? 100 });
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
      const retried = await queue.retryFailed();
      options.err.write(`${retried} jobs sent back to the queue.\n`);
    }
  } finally {
    await queue.close();
  }
  return 0;
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
