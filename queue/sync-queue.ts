import type { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { type ContactSyncError, invalidInput } from '../src/errors.js';
import type { SyncRecord } from '../src/sync/index.js';
import { KEY_MAX_LENGTH } from '../src/sync/index.js';
import {
  accountIssue,
  accountQueuePrefix,
  announceAccount,
  announcedAccounts,
} from './accounts.js';
import { openRedis, type QueueConnection } from './connection.js';
import { parseFailureReason } from './job-failure.js';
import {
  checkQueueOptions,
  DEFAULT_QUEUE_PREFIX,
  nonNegativeInteger,
  positiveInteger,
  type QueueIdentity,
} from './queue-options.js';
import { keepNewest, orderKeys, type PushJobData } from './record-order.js';
import { warnAboutDurability } from './redis-checks.js';

/** Options of {@link createSyncQueue}. */
export interface SyncQueueOptions extends QueueIdentity {
  /** A Redis URL or ioredis connection options. Required. */
  connection: QueueConnection;
  /** The queue's name; workers of the same name take its jobs. Required. */
  name: string;
  /**
   * Tries per record, the first included: a push whose vendor failure is retryable (429, 5xx,
   * network, timeout) is run again after a backoff until this many have failed. Default 5.
   */
  attempts?: number;
  /** Backoff before the first retry in ms, doubled at each further one. Default 1000. */
  backoffMs?: number;
  /** Completed jobs kept in Redis (the newest), for `counts()` and inspection. Default 10000. */
  keepCompleted?: number;
  /** Records sent to Redis per round trip while enqueueing. Default 500. */
  batchSize?: number;
  /**
   * How long failed jobs (and the newest record of a key whose push failed) are kept, in ms:
   * they hold the records, phone numbers included. BullMQ removes the older ones each time
   * another job fails. Default 604800000 (7 days).
   */
  keepFailedForMs?: number;
  /**
   * Gets the warning about a Redis that can lose jobs (no persistence, or an evicting
   * `maxmemory-policy`), said once when the queue connects. Default: `process.emitWarning`.
   */
  onWarning?(message: string): void;
}

/** How many jobs the queue holds in each state (from {@link SyncQueue.counts}). */
export interface SyncQueueCounts {
  /** Waiting for a worker. */
  waiting: number;
  /** Being pushed now. */
  active: number;
  /** Waiting for their backoff before a retry. */
  delayed: number;
  /** Done (up to `keepCompleted` are kept). */
  completed: number;
  /** Out of attempts, or failed for good: see `failed()`. */
  failed: number;
}

/** A job that failed for good. */
export interface FailedSyncJob {
  /** The job id: give it to `retryFailed`. */
  id: string;
  /** The record's key. */
  key: string;
  /** Tries made. */
  attemptsMade: number;
  /** When it failed (epoch ms). */
  failedAt?: number;
  /** The vendors' failures of the last try (code, message, provider; no secret, no phone). */
  errors: ContactSyncError[];
  /** One line: the errors' messages, or BullMQ's own reason (a job that stalled too often). */
  reason: string;
}

/**
 * Which account a call is about (workers given `accounts`): each account has its own queue,
 * per-key order and failed jobs, under `<prefix>:<account>:…`. Without it, the queue of workers
 * given `stores`.
 */
export interface AccountScope {
  /** 1 to 100 letters, digits, `_`, `.` or `-`. Default: none (the single-account queue). */
  account?: string;
}

/** The producer side of a sync queue, from {@link createSyncQueue}. */
export interface SyncQueue {
  /**
   * Adds one job per record, reading any iterable or async iterable in batches of `batchSize`
   * (memory stays flat). A record that is not `{ key, contact }` throws `invalid_input` naming
   * `records.<index>`; every record before it is enqueued, none after. With `account`, the jobs
   * go to that account's queue (workers given `accounts` find it within a second).
   */
  enqueue(
    records: Iterable<SyncRecord> | AsyncIterable<SyncRecord>,
    options?: AccountScope,
  ): Promise<{
    /** How many jobs were added. */
    enqueued: number;
  }>;
  /** How many jobs wait, run, wait for a retry, completed and failed (of `account`, if given). */
  counts(options?: AccountScope): Promise<SyncQueueCounts>;
  /** Failed jobs, newest first: `limit` of them (default 100) from position `start` (default 0). */
  failed(options?: { start?: number; limit?: number } & AccountScope): Promise<FailedSyncJob[]>;
  /**
   * Sends failed jobs back to the queue: the ones of `ids` with their attempts reset, or, without
   * `ids`, every failed job in one pass of BullMQ's `retryJobs` (each gets one more try). Only
   * the vendors that failed are pushed again. Resolves how many went back. `retryFailed({ account
   * })` or `retryFailed(ids, { account })` for an account's jobs.
   */
  retryFailed(ids?: readonly string[] | AccountScope, options?: AccountScope): Promise<number>;
  /** The accounts that ever had a job enqueued, sorted by name. */
  accounts(): Promise<string[]>;
  /**
   * Jobs completed per second over the last `windowMs` (default 60000), of `account` if given:
   * counted among the kept completed jobs (`keepCompleted`), so it reads low above
   * `keepCompleted / windowMs` jobs per second.
   */
  throughput(options?: AccountScope & { windowMs?: number }): Promise<number>;
  /** Closes the queue and quits its Redis connection. Idempotent. */
  close(): Promise<void>;
}

const DAY_MS = 86_400_000;

/** The BullMQ job name of a push. */
export const PUSH_JOB = 'push';

/**
 * The producer side of distributed sync: records go to a BullMQ queue in Redis, and workers
 * (`createSyncWorker`, in any number of processes) push them to the vendors.
 */
export function createSyncQueue(options: SyncQueueOptions): SyncQueue {
  checkQueueOptions(
    options,
    ['attempts', 'backoffMs', 'keepCompleted', 'batchSize', 'keepFailedForMs', 'onWarning'],
    {
      attempts: (value) => (positiveInteger(value, 100) ? undefined : 'expected 1 to 100'),
      backoffMs: (value) =>
        nonNegativeInteger(value, 3_600_000) ? undefined : 'expected 0 to 3600000 ms',
      keepCompleted: (value) =>
        nonNegativeInteger(value, 10_000_000) ? undefined : 'expected a whole number ≥ 0',
      batchSize: (value) => (positiveInteger(value, 10_000) ? undefined : 'expected 1 to 10000'),
      keepFailedForMs: (value) =>
        positiveInteger(value, 365 * DAY_MS) && (value as number) >= 1000
          ? undefined
          : 'expected 1000 ms to 365 days in ms',
      onWarning: (value) => (typeof value === 'function' ? undefined : 'expected a function'),
    },
  );
  const {
    connection,
    name,
    prefix = DEFAULT_QUEUE_PREFIX,
    attempts = 5,
    backoffMs = 1000,
    keepCompleted = 10_000,
    batchSize = 500,
    keepFailedForMs = 7 * DAY_MS,
  } = options;
  let opened: Promise<{ client: Redis }> | undefined;
  const queues = new Map<string, Promise<Queue>>();
  const opening = async () => {
    opened ??= (async () => {
      const client = await openRedis(connection);
      await warnAboutDurability(client, connection, options.onWarning);
      return { client };
    })();
    opened.catch(() => {
      opened = undefined;
    });
    return opened;
  };
  /** The BullMQ queue of `account` (or the single-account one), opened once. */
  const queue = async (account?: string): Promise<Queue> => {
    const id = account ?? '';
    let found = queues.get(id);
    if (!found) {
      found = (async () => {
        const { Queue } = await import('bullmq');
        const { client } = await opening();
        const created = new Queue<PushJobData>(name, {
          connection: client,
          prefix: account === undefined ? prefix : accountQueuePrefix(prefix, account),
          defaultJobOptions: {
            attempts,
            backoff: { type: 'exponential', delay: backoffMs },
            removeOnComplete: keepCompleted === 0 ? true : { count: keepCompleted },
            removeOnFail: { age: Math.ceil(keepFailedForMs / 1000) },
          },
        });
        // Errors reach the caller through the rejected calls; an unheard 'error' event would crash.
        created.on('error', () => undefined);
        return created;
      })();
      queues.set(id, found);
      found.catch(() => queues.delete(id));
    }
    return found;
  };
  const orderOf = (account?: string) =>
    orderKeys(account === undefined ? prefix : accountQueuePrefix(prefix, account), name);
  const checkAccount = (scope: unknown, operation: string): string | undefined => {
    const account = (scope as AccountScope | undefined)?.account;
    if (account === undefined) return undefined;
    const issue = accountIssue(account, 'options.account');
    if (issue) throw invalidInput([issue], { operation });
    return account;
  };

  return {
    async enqueue(records, scope) {
      const account = checkAccount(scope, 'enqueue');
      const order = orderOf(account);
      let batch: SyncRecord[] = [];
      let enqueued = 0;
      let index = 0;
      const flush = async () => {
        if (!batch.length) return;
        const connected = await queue(account);
        const { client } = await opening();
        const seqs = await keepNewest(client, order, batch, keepFailedForMs);
        await connected.addBulk(
          batch.map((record, position) => ({
            name: PUSH_JOB,
            data: { ...record, seq: seqs[position] as number },
            // One job per key at a time: see record-order.ts.
            opts: { deduplication: { id: record.key, keepLastIfActive: true } },
          })),
        );
        if (account !== undefined) await announceAccount(client, prefix, name, account);
        enqueued += batch.length;
        batch = [];
      };
      for await (const record of records) {
        const problem = recordProblem(record);
        if (problem) {
          await flush();
          throw invalidInput(
            [{ path: `records.${index}${problem.path}`, message: problem.message }],
            {
              operation: 'enqueue',
            },
          );
        }
        batch.push({ key: record.key, contact: record.contact });
        index += 1;
        if (batch.length >= batchSize) await flush();
      }
      await flush();
      return { enqueued };
    },
    async counts(scope) {
      const counts = await (await queue(checkAccount(scope, 'counts'))).getJobCounts(
        'waiting',
        'prioritized',
        'active',
        'delayed',
        'completed',
        'failed',
      );
      const count = (type: string) => counts[type] ?? 0;
      return {
        waiting: count('waiting') + count('prioritized'),
        active: count('active'),
        delayed: count('delayed'),
        completed: count('completed'),
        failed: count('failed'),
      };
    },
    async failed(scope = {}) {
      const { start = 0, limit = 100 } = scope;
      const jobs = await (await queue(checkAccount(scope, 'failed'))).getFailed(
        start,
        start + limit - 1,
      );
      return jobs.filter(Boolean).map((job) => {
        const { errors, summary } = parseFailureReason(job.failedReason);
        return {
          id: String(job.id),
          key: typeof job.data?.key === 'string' ? job.data.key : '',
          attemptsMade: job.attemptsMade,
          failedAt: job.finishedOn,
          errors,
          reason: summary,
        };
      });
    },
    async retryFailed(idsOrScope, scope) {
      const ids = Array.isArray(idsOrScope) ? (idsOrScope as readonly string[]) : undefined;
      const account = checkAccount(ids ? scope : (idsOrScope ?? scope), 'retryFailed');
      const connected = await queue(account);
      if (account !== undefined) {
        await announceAccount((await opening()).client, prefix, name, account);
      }
      if (!ids) {
        // Every failed job in one server-side pass (BullMQ's retryJobs), however many there are.
        const total = await connected.getFailedCount();
        if (total) await connected.retryJobs({ state: 'failed', count: 1000 });
        return total;
      }
      let retried = 0;
      for (const id of ids) {
        const job = await connected.getJob(id);
        if (!job || !(await job.isFailed())) continue;
        await job.retry('failed', { resetAttemptsMade: true, resetAttemptsStarted: true });
        retried += 1;
      }
      return retried;
    },
    async throughput(scope = {}) {
      const account = checkAccount(scope, 'throughput');
      const windowMs = scope.windowMs ?? 60_000;
      const { client } = await opening();
      const base = account === undefined ? prefix : accountQueuePrefix(prefix, account);
      const now = Date.now();
      const done = await client.zcount(`${base}:${name}:completed`, now - windowMs, now);
      return done / (windowMs / 1000);
    },
    async accounts() {
      const { client } = await opening();
      return (await announcedAccounts(client, prefix, name)).sort();
    },
    async close() {
      if (!opened) return;
      const current = await opened.catch(() => undefined);
      opened = undefined;
      const open = [...queues.values()];
      queues.clear();
      for (const pending of open) await (await pending.catch(() => undefined))?.close();
      // BullMQ does not quit a connection it was given.
      await current?.client.quit().catch(() => undefined);
    },
  };
}

function recordProblem(record: unknown): { path: string; message: string } | undefined {
  if (typeof record !== 'object' || record === null || Array.isArray(record)) {
    return { path: '', message: 'expected a record { key, contact }' };
  }
  const { key, contact } = record as Record<string, unknown>;
  if (typeof key !== 'string' || key.trim() === '' || key.length > KEY_MAX_LENGTH) {
    return {
      path: '.key',
      message: `expected a non-empty string of at most ${KEY_MAX_LENGTH} characters`,
    };
  }
  if (typeof contact !== 'object' || contact === null || Array.isArray(contact)) {
    return { path: '.contact', message: 'expected a contact object' };
  }
  return undefined;
}
