import type { Job, Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import * as v from 'valibot';
import {
  type AnyStoreConfig,
  createFromRegistry,
  documentedRequestsPerSecond,
  type ProviderDefinition,
  type ProviderRegistry,
  resolveProviders,
} from '../providers/registry.js';
import type { ContactStore } from '../src/contact-store.js';
import { type ContactSyncError, invalidConfig, isContactSyncError } from '../src/errors.js';
import { type Logger, log, loggerSchema } from '../src/logger.js';
import { openLinkStore } from '../src/redis/redis-link-store.js';
import {
  createContactSync,
  type LinkStore,
  type PushReport,
  type SyncPolicy,
  type SyncRecord,
} from '../src/sync/index.js';
import { createRedisErrorReporter, openRedis, type QueueConnection } from './connection.js';
import { failureReason } from './job-failure.js';
import {
  checkQueueOptions,
  DEFAULT_QUEUE_PREFIX,
  nonNegativeInteger,
  positiveInteger,
  type QueueIdentity,
} from './queue-options.js';
import { markApplied, orderKeys, type PushJobData, readOrder } from './record-order.js';
import { warnAboutDurability } from './redis-checks.js';
import { openRateLimiter, type RedisRateLimiter } from './redis-rate-limiter.js';

/** Options of {@link createSyncWorker}. */
export interface SyncWorkerOptions extends QueueIdentity {
  /** A Redis URL or ioredis connection options. Required. */
  connection: QueueConnection;
  /** The queue to take jobs from (`createSyncQueue`'s `name`). Required. */
  name: string;
  /**
   * The vendors, as plain store configurations (`{ provider: 'callbell', apiToken, … }`, as in
   * the command line's config file). Configurations, not built stores, because the worker gives
   * each store a limiter shared through Redis: `rateLimit.requestsPerSecond` (or the vendor's
   * documented rate) then holds for every worker together. A `limiter` in a config is replaced.
   */
  stores: readonly AnyStoreConfig[];
  /**
   * Vendors defined outside this package (`defineProvider` from `contact-sync/provider`), for
   * `stores` to name as they name a shipped one; their documented `requestsPerSecond` is the
   * shared limit, as for a shipped vendor. Default: the shipped vendors only.
   */
  providers?: readonly ProviderDefinition<never>[];
  /**
   * Where the links live; shared by every worker, so a Redis or database store. Default:
   * `redisLinkStore({ connection })` (closed by `close()`; a store you give is not).
   */
  links?: LinkStore;
  /** Records pushed at once by this worker. Default 8. */
  concurrency?: number;
  /** As ContactSync's `policy`. Default `'all'`. */
  policy?: SyncPolicy;
  /** As ContactSync's `defaultCountry`. Default: none. */
  defaultCountry?: string;
  /**
   * How long a job of a worker that died (killed, lost its network) stays active before another
   * worker takes it back, in ms. A live worker renews its jobs every half of it, and checks for
   * stalled jobs every 4 s (or half of it), so they come back within about 14 s. Default 10000.
   */
  lockDurationMs?: number;
  /**
   * Prefix of the shared rate limits: a store of provider `p` uses `<prefix>:<p>`, whatever the
   * queue. Give workers of two accounts of one vendor different prefixes. Default
   * `contact-sync:rate`.
   */
  rateLimitPrefix?: string;
  /** The limiters' `marginMs` (see `redisRateLimiter`). Default 100. */
  limiterMarginMs?: number;
  /** Called after each try of a job with its push report (a failed try may be retried). */
  onReport?(report: PushReport, job: SyncJobInfo): void;
  /**
   * Called with errors of the worker itself: a lost Redis connection is reported once per outage
   * (every connection of the worker together), as a `ContactSyncError` naming Redis and its URL
   * (no password). Default: ignored.
   */
  onError?(error: Error): void;
  /**
   * Gets the warning about a Redis that can lose jobs (no persistence, or an evicting
   * `maxmemory-policy`), said once when the worker starts. Default: `process.emitWarning`.
   */
  onWarning?(message: string): void;
  /**
   * A pino-compatible logger: given to every store (requests at debug, retries at warn), and told
   * each failed try (warn: key, vendor, error code, attempt), the worker's own errors (error) and
   * the Redis durability warning (warn). Never a phone or secret. Default: none.
   */
  logger?: Logger;
}

/** The job a report belongs to, given to `onReport`. */
export interface SyncJobInfo {
  /** The BullMQ job id. */
  id: string;
  /** 1 for the first try. */
  attempt: number;
  /** Tries allowed. */
  attempts: number;
  /**
   * This try is the job's last: it succeeded, or failed for good (a failure no retry can fix,
   * or the last try). `false` when the job will run again (a retryable failure with tries left,
   * or a job handed back by `close`).
   */
  final: boolean;
}

/** Options of {@link SyncWorker.close}. */
export interface SyncWorkerCloseOptions {
  /**
   * How long the jobs in flight may take to finish, in ms. After it, their vendor calls are
   * cancelled and the jobs go back to the queue (no try is counted), for another worker.
   * Default 10000.
   */
  timeoutMs?: number;
}

/** A running worker, from {@link createSyncWorker}. */
export interface SyncWorker {
  /** Resolves once the worker is connected and taking jobs; rejects when it cannot start. */
  ready(): Promise<void>;
  /** Stops taking jobs, lets those in flight finish (or hands them back), then disconnects. */
  close(options?: SyncWorkerCloseOptions): Promise<void>;
}

/**
 * A worker of a sync queue: takes jobs in Redis and pushes each record with ContactSync. Any
 * number of workers, in any number of processes or machines, may serve one queue; each vendor's
 * rate limit holds for all of them together. A vendor failure that may pass (429, 5xx, network)
 * makes the queue retry the job with backoff; any other fails it at once. A job run twice (its
 * worker died after the vendor wrote) creates nothing twice: the links say what exists.
 */
export function createSyncWorker(options: SyncWorkerOptions): SyncWorker {
  checkQueueOptions(
    options,
    [
      'stores',
      'providers',
      'links',
      'concurrency',
      'policy',
      'defaultCountry',
      'lockDurationMs',
      'rateLimitPrefix',
      'limiterMarginMs',
      'onReport',
      'onError',
      'onWarning',
      'logger',
    ],
    {
      concurrency: (value) => (positiveInteger(value, 1000) ? undefined : 'expected 1 to 1000'),
      lockDurationMs: (value) =>
        positiveInteger(value, 3_600_000) && (value as number) >= 1000
          ? undefined
          : 'expected 1000 to 3600000 ms',
      rateLimitPrefix: (value) =>
        typeof value === 'string' && value !== '' ? undefined : 'expected a non-empty string',
      limiterMarginMs: (value) =>
        nonNegativeInteger(value, 60_000) ? undefined : 'expected 0 to 60000 ms',
      onReport: (value) => (typeof value === 'function' ? undefined : 'expected a function'),
      onError: (value) => (typeof value === 'function' ? undefined : 'expected a function'),
      onWarning: (value) => (typeof value === 'function' ? undefined : 'expected a function'),
      logger: (value) =>
        v.is(loggerSchema, value) ? undefined : 'expected a logger with debug, info, warn or error',
    },
  );
  const {
    connection,
    name,
    prefix = DEFAULT_QUEUE_PREFIX,
    concurrency = 8,
    lockDurationMs = 10_000,
    rateLimitPrefix = 'contact-sync:rate',
    limiterMarginMs,
    onReport,
    logger,
  } = options;
  const onError =
    options.onError ??
    ((error: Error) =>
      log(logger, 'error', { code: (error as { code?: string }).code }, error.message));
  const onWarning =
    options.onWarning ??
    (logger ? (message: string) => log(logger, 'warn', {}, message) : undefined);
  // One line per Redis outage for the whole worker, whichever of its connections saw it first.
  const reporter = createRedisErrorReporter(connection, onError);
  const reportError = (error: Error) => reporter.report(error);
  const limiters: RedisRateLimiter[] = [];
  const registry = resolveProviders(options.providers);
  const stores = buildStores(
    options.stores,
    registry,
    (config) => {
      const limiter = openRateLimiter(
        {
          connection,
          key: `${rateLimitPrefix}:${config.provider}`,
          requestsPerSecond: rateOf(config, registry),
          ...(limiterMarginMs === undefined ? {} : { marginMs: limiterMarginMs }),
        },
        reporter,
      );
      limiters.push(limiter);
      return limiter;
    },
    logger,
  );
  const ownLinks = options.links === undefined;
  const links = options.links ?? openLinkStore({ connection }, reporter);
  // One ContactSync per set of vendors still to do (a retry pushes only the vendors that failed):
  // at most 2^stores, built when first needed. Each reads the key's links once per push.
  const syncs = new Map<string, ReturnType<typeof createContactSync>>();
  const syncFor = (remaining: readonly ContactStore[]) => {
    const id = remaining.map((store) => store.provider).join('\n');
    let sync = syncs.get(id);
    if (!sync) {
      sync = createContactSync({
        stores: remaining,
        links,
        ...(options.policy === undefined ? {} : { policy: options.policy }),
        ...(options.defaultCountry === undefined ? {} : { defaultCountry: options.defaultCountry }),
      });
      syncs.set(id, sync);
    }
    return sync;
  };
  syncFor(stores); // checks the options now, not at the first job
  const order = orderKeys(prefix, name);
  let closing = false;

  async function process(job: Job<PushJobData>, token?: string, signal?: AbortSignal) {
    const data = job.data;
    const connected = client as Redis;
    // The key's newest record, if a newer one came while this job waited.
    let record: SyncRecord = { key: data.key, contact: data.contact };
    let seq = data.seq;
    if (seq !== undefined) {
      const { newest, applied } = await readOrder(connected, order, data.key);
      if (newest && newest.seq > seq) {
        record = { key: data.key, contact: newest.contact };
        seq = newest.seq;
      }
      // A newer record of this key already succeeded everywhere: this one must not undo it.
      if (applied >= seq) return { superseded: true };
    }
    const done = data.done && data.done.seq === seq ? data.done.results : {};
    const remaining = stores.filter((store) => !(store.provider in done));
    const pushed = await syncFor(remaining).push(record, signal ? { signal } : undefined);
    const report: PushReport = {
      ...pushed,
      results: stores.map(
        (store) =>
          pushed.results.find((result) => result.provider === store.provider) ?? {
            provider: store.provider,
            ...(done[store.provider] as { status: PushReport['results'][number]['status'] }),
            warnings: [],
          },
      ),
    };
    const errors = pushed.results
      .map((result) => result.error)
      .filter((error): error is ContactSyncError => isContactSyncError(error));
    const cancelled = closing && signal?.aborted === true;
    // `aborted` outside a close means the shared limiter could not be reached: worth a retry.
    const retryable = errors.some((error) => error.retryable || error.code === 'aborted');
    const attempt = job.attemptsMade + 1;
    const attempts = job.opts.attempts ?? 1;
    if (!errors.length && seq !== undefined) await markApplied(connected, order, data.key, seq);
    for (const error of errors) {
      log(
        logger,
        'warn',
        {
          key: data.key,
          provider: error.provider,
          code: error.code,
          status: error.status,
          attempt,
          attempts,
        },
        'contact-sync job failed',
      );
    }
    try {
      onReport?.(report, {
        id: String(job.id),
        attempt,
        attempts,
        final: !errors.length || (!cancelled && !(retryable && attempt < attempts)),
      });
    } catch {
      // A failing callback must not change the job's outcome.
    }
    if (!errors.length) {
      return {
        results: report.results.map(({ provider, status, id }) => ({ provider, status, id })),
      };
    }
    // The vendors that succeeded are not pushed again by a later try of this record.
    const results = { ...done };
    for (const result of pushed.results) {
      if (result.status !== 'failed' && result.status !== 'skipped') {
        results[result.provider] = {
          status: result.status,
          ...(result.id ? { id: result.id } : {}),
        };
      }
    }
    if (seq !== undefined) {
      await job.updateData({ ...record, seq, done: { seq, results } });
    }
    const { UnrecoverableError, WaitingError } = await import('bullmq');
    if (cancelled) {
      // Cancelled by close(): back to the queue for another worker, no try spent.
      await job.moveToWait(token);
      throw new WaitingError();
    }
    const reason = failureReason(errors);
    throw retryable ? new Error(reason) : new UnrecoverableError(reason);
  }

  let client: Redis | undefined;
  const started = (async (): Promise<Worker> => {
    const { Worker } = await import('bullmq');
    // BullMQ's workers block on their connection: it needs maxRetriesPerRequest null.
    client = await openRedis(connection, { blocking: true, reporter });
    const worker = new Worker<PushJobData>(name, process, {
      connection: client,
      prefix,
      concurrency,
      lockDuration: lockDurationMs,
      // A dead worker's jobs come back within lockDuration + stalledInterval.
      stalledInterval: Math.min(4000, Math.floor(lockDurationMs / 2)),
      autorun: true,
    });
    worker.on('error', reportError);
    await worker.waitUntilReady();
    await warnAboutDurability(client, connection, onWarning);
    // BullMQ's blocking connection (a duplicate of `client`) reports its outages here too.
    const blocking = (worker as unknown as { blockingConnection?: { client?: Promise<Redis> } })
      .blockingConnection?.client;
    if (blocking) reporter.watch(await blocking);
    return worker;
  })();
  // Reported through ready() and close(); never an unhandled rejection.
  started.catch(() => undefined);

  return {
    async ready() {
      await started;
    },
    async close({ timeoutMs = 10_000 } = {}) {
      if (closing) return;
      closing = true;
      const worker = await started.catch(() => undefined);
      if (worker) {
        const timer = setTimeout(() => worker.cancelAllJobs('closing'), timeoutMs);
        try {
          await worker.close();
        } finally {
          clearTimeout(timer);
        }
      }
      await client?.quit().catch(() => undefined);
      await Promise.all(limiters.map((limiter) => limiter.close()));
      if (ownLinks) await links.close?.();
    },
  };
}

function rateOf(config: AnyStoreConfig, registry: ProviderRegistry): number | undefined {
  const { rateLimit } = config as { rateLimit?: { requestsPerSecond?: unknown } | false };
  if (rateLimit === false) return undefined;
  const given = rateLimit?.requestsPerSecond;
  return typeof given === 'number' ? given : documentedRequestsPerSecond(config.provider, registry);
}

/** Builds every store with its shared limiter; a bad config throws naming `stores.<i>.<option>`. */
function buildStores(
  configs: unknown,
  registry: ProviderRegistry,
  limiterFor: (config: AnyStoreConfig) => RedisRateLimiter,
  logger?: Logger,
): ContactStore[] {
  if (!Array.isArray(configs) || configs.length === 0) {
    throw invalidConfig([
      { path: 'stores', message: 'expected a non-empty array of store configurations' },
    ]);
  }
  return configs.map((config, index) => {
    if (
      typeof config !== 'object' ||
      config === null ||
      typeof config.provider !== 'string' ||
      typeof config.upsert === 'function'
    ) {
      throw invalidConfig([
        {
          path: `stores.${index}`,
          message:
            'expected a store configuration { provider, … } (not a built store: see docs/scale-out.md)',
        },
      ]);
    }
    try {
      return createFromRegistry(
        { ...(logger ? { logger } : {}), ...config, limiter: limiterFor(config) },
        registry,
      );
    } catch (error) {
      if (!isContactSyncError(error) || !error.issues) throw error;
      throw invalidConfig(
        error.issues.map((issue) => ({
          path: `stores.${index}${issue.path ? `.${issue.path}` : ''}`,
          message: issue.message,
        })),
        error.provider,
      );
    }
  });
}
