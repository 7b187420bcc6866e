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
import {
  type AccountResolver,
  accountFailure,
  accountQueuePrefix,
  accountsWithWork,
  announcedAccounts,
  checkAccountConfig,
  createFairSlots,
  credentialId,
} from './accounts.js';
import { createRedisErrorReporter, openRedis, type QueueConnection } from './connection.js';
import { failureReason } from './job-failure.js';
import {
  checkQueueOptions,
  DEFAULT_QUEUE_PREFIX,
  nonNegativeInteger,
  positiveInteger,
  type QueueIdentity,
} from './queue-options.js';
import {
  markApplied,
  type OrderKeys,
  orderKeys,
  type PushJobData,
  readOrder,
} from './record-order.js';
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
   * Give `stores` or `accounts`, not both.
   */
  stores?: readonly AnyStoreConfig[];
  /**
   * Vendors defined outside this package (`defineProvider` from `contact-sync/provider`), for
   * `stores` (or an account's stores) to name as they name a shipped one; their documented
   * `requestsPerSecond` is the shared limit, as for a shipped vendor. Default: the shipped
   * vendors only.
   */
  providers?: readonly ProviderDefinition<never>[];
  /**
   * Many customers on one fleet: gives an account's stores (and its `defaultCountry`, `policy`)
   * when its first job in a while arrives, from your own secret store. Each account has its own
   * queue (`queue.enqueue(records, { account })`), links, per-key order and failed jobs, all
   * under `<prefix>:<account>:…`; the worker serves the accounts that have work in rotation, so
   * one account's backlog does not starve the others. An account's stores are dropped (and its
   * link store closed) after `accountIdleMs` without a job. A resolver that throws fails that
   * account's jobs with `invalid_config` (`operation: 'accounts'`), never the worker. Give
   * `stores` or `accounts`, not both. See docs/scale-out.md, "Accounts".
   */
  accounts?: AccountResolver;
  /** How long an account's built stores are kept without a job, in ms. Default 600000 (10 min). */
  accountIdleMs?: number;
  /**
   * The key of the HMAC that names each credential's shared rate limit in Redis
   * (`<rateLimitPrefix>:<provider>:<hmac>`). Every worker of a fleet must use the same one; a
   * secret of yours makes the names impossible to guess from a key. Default: a fixed key.
   */
  credentialHashKey?: string;
  /**
   * Where the links live; shared by every worker, so a Redis or database store. With `accounts`,
   * a function giving each account's own store. Default: `redisLinkStore({ connection })`
   * (prefix `contact-sync:links:<account>:links` per account; closed by the worker; a store you
   * give is not).
   */
  links?: LinkStore | ((account: string) => LinkStore);
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
   * Prefix of the shared rate limits: a store of provider `p` whose credential's HMAC is `h` uses
   * `<prefix>:<p>:<h>`, whatever the queue or account: configurations sharing one API key share
   * one budget, two keys have two. Default `contact-sync:rate`.
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
  /** The account of the job, with `accounts`. */
  account?: string;
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
      'accounts',
      'accountIdleMs',
      'credentialHashKey',
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
      accounts: (value) => (typeof value === 'function' ? undefined : 'expected a function'),
      accountIdleMs: (value) =>
        positiveInteger(value, 86_400_000) && (value as number) >= 1000
          ? undefined
          : 'expected 1000 to 86400000 ms',
      credentialHashKey: (value) =>
        typeof value === 'string' && value !== '' ? undefined : 'expected a non-empty string',
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
  const byAccount = options.accounts !== undefined;
  if (byAccount && options.stores !== undefined) {
    throw invalidConfig([{ path: 'accounts', message: 'give stores or accounts, not both' }]);
  }
  if (!byAccount && typeof options.links === 'function') {
    throw invalidConfig([
      { path: 'links', message: 'a function of the account goes with accounts; give a LinkStore' },
    ]);
  }
  const {
    connection,
    name,
    prefix = DEFAULT_QUEUE_PREFIX,
    concurrency = 8,
    lockDurationMs = 10_000,
    rateLimitPrefix = 'contact-sync:rate',
    credentialHashKey = 'contact-sync:credential',
    accountIdleMs = 600_000,
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
  const registry = resolveProviders(options.providers);
  // One limiter per vendor credential in this process (two configs with one key share it), and
  // through Redis one budget for every worker.
  const limiters = new Map<string, RedisRateLimiter>();
  let limiterConnection: QueueConnection | Redis = connection;
  const limiterFor = (config: AnyStoreConfig) => {
    const key = `${rateLimitPrefix}:${config.provider}:${credentialId(config, credentialHashKey)}`;
    let limiter = limiters.get(key);
    if (!limiter) {
      limiter = openRateLimiter(
        {
          connection: limiterConnection,
          key,
          requestsPerSecond: rateOf(config, registry),
          ...(limiterMarginMs === undefined ? {} : { marginMs: limiterMarginMs }),
        },
        reporter,
      );
      limiters.set(key, limiter);
    }
    return limiter;
  };
  const vendorsOf = (
    configs: unknown,
    links: LinkStore,
    settings: { policy?: SyncPolicy; defaultCountry?: string },
  ): Vendors => {
    const stores = buildStores(configs, registry, limiterFor, logger);
    // One ContactSync per set of vendors still to do (a retry pushes only the vendors that
    // failed): at most 2^stores, built when first needed. Each reads the key's links once a push.
    const syncs = new Map<string, ReturnType<typeof createContactSync>>();
    const syncFor = (remaining: readonly ContactStore[]) => {
      const id = remaining.map((store) => store.provider).join('\n');
      let sync = syncs.get(id);
      if (!sync) {
        sync = createContactSync({
          stores: remaining,
          links,
          ...(settings.policy === undefined ? {} : { policy: settings.policy }),
          ...(settings.defaultCountry === undefined
            ? {}
            : { defaultCountry: settings.defaultCountry }),
        });
        syncs.set(id, sync);
      }
      return sync;
    };
    syncFor(stores); // checks the options now, not at the first job
    return { stores, syncFor };
  };
  const single = byAccount
    ? undefined
    : (() => {
        const links =
          (options.links as LinkStore | undefined) ?? openLinkStore({ connection }, reporter);
        return { links, vendors: vendorsOf(options.stores, links, options) };
      })();
  let closing = false;

  async function process(
    job: Job<PushJobData>,
    token: string | undefined,
    signal: AbortSignal | undefined,
    vendors: Vendors,
    order: OrderKeys,
    account?: string,
  ) {
    const { stores, syncFor } = vendors;
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
    // Every failure is an open breaker: the job waits for the vendor, no try is spent.
    const unavailable =
      errors.length > 0 && errors.every((error) => error.code === 'provider_unavailable');
    const attempt = job.attemptsMade + 1;
    const attempts = job.opts.attempts ?? 1;
    if (!errors.length && seq !== undefined) await markApplied(connected, order, data.key, seq);
    for (const error of errors) {
      log(
        logger,
        'warn',
        {
          ...(account ? { account } : {}),
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
        ...(account ? { account } : {}),
        final: !errors.length || (!cancelled && !unavailable && !(retryable && attempt < attempts)),
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
    const waits = (data.waits ?? 0) + (unavailable && !cancelled ? 1 : 0);
    if (seq !== undefined || unavailable) {
      await job.updateData({
        ...record,
        ...(seq === undefined ? {} : { seq, done: { seq, results } }),
        ...(waits ? { waits } : {}),
      });
    }
    const { DelayedError, UnrecoverableError, WaitingError } = await import('bullmq');
    if (cancelled) {
      // Cancelled by close(): back to the queue for another worker, no try spent.
      await job.moveToWait(token);
      throw new WaitingError();
    }
    if (unavailable) {
      await job.moveToDelayed(Date.now() + breakerDelay(errors, waits), token);
      throw new DelayedError();
    }
    const reason = failureReason(errors);
    throw retryable ? new Error(reason) : new UnrecoverableError(reason);
  }

  let client: Redis | undefined;
  let auxiliary: Redis | undefined;
  let limiterClient: Redis | undefined;
  const workerOptions = {
    lockDuration: lockDurationMs,
    // A dead worker's jobs come back within lockDuration + stalledInterval.
    stalledInterval: Math.min(4000, Math.floor(lockDurationMs / 2)),
    autorun: true,
  };
  const fleet = byAccount ? accountFleet() : undefined;

  /** With `accounts`: one BullMQ worker per account that has work, sharing fair slots. */
  function accountFleet() {
    const resolver = options.accounts as AccountResolver;
    const slots = createFairSlots(concurrency);
    interface Entry {
      worker?: Worker;
      vendors?: Promise<Vendors>;
      links?: LinkStore;
      running: number;
      lastUsed: number;
    }
    const open = new Map<string, Entry>();
    let discovered: number | undefined;
    let timer: NodeJS.Timeout | undefined;
    let sweeping = false;
    // Each account's worker takes a share of the slots (plus one job ready to start), so that
    // jobs waiting for a slot stay few; one account alone takes them all.
    const share = () => Math.min(concurrency, Math.ceil(concurrency / Math.max(1, open.size)) + 1);
    const reshare = () => {
      for (const entry of open.values()) if (entry.worker) entry.worker.concurrency = share();
    };

    async function vendorsFor(account: string, entry: Entry): Promise<Vendors> {
      if (!entry.vendors) {
        const building = (async () => {
          try {
            const config = checkAccountConfig(account, await resolver(account));
            entry.links ??=
              typeof options.links === 'function'
                ? options.links(account)
                : openLinkStore(
                    {
                      connection: auxiliary as Redis,
                      prefix: `contact-sync:links:${account}:links`,
                    },
                    reporter,
                  );
            return vendorsOf(config.stores, entry.links, config);
          } catch (error) {
            throw accountFailure(account, error);
          }
        })();
        entry.vendors = building;
        // A resolver that failed is asked again for a later job (its secret store may be back),
        // not for every job of a burst.
        building.catch(() => {
          setTimeout(() => {
            if (entry.vendors === building) entry.vendors = undefined;
          }, 5000).unref();
        });
      }
      return entry.vendors;
    }

    async function openAccount(account: string, Worker: typeof import('bullmq').Worker) {
      if (open.has(account) || closing) return;
      const entry: Entry = { running: 0, lastUsed: Date.now() };
      open.set(account, entry);
      const order = orderKeys(accountQueuePrefix(prefix, account), name);
      const worker = new Worker<PushJobData>(
        name,
        async (job, token, signal) => {
          entry.running += 1;
          entry.lastUsed = Date.now();
          try {
            try {
              await slots.acquire(account, signal);
            } catch {
              const { WaitingError } = await import('bullmq');
              await job.moveToWait(token);
              throw new WaitingError();
            }
            try {
              let vendors: Vendors;
              try {
                vendors = await vendorsFor(account, entry);
              } catch (error) {
                const { UnrecoverableError } = await import('bullmq');
                throw new UnrecoverableError(failureReason([error as ContactSyncError]));
              }
              return await process(job, token, signal, vendors, order, account);
            } finally {
              slots.release();
            }
          } finally {
            entry.running -= 1;
            entry.lastUsed = Date.now();
          }
        },
        {
          ...workerOptions,
          connection: client as Redis,
          prefix: accountQueuePrefix(prefix, account),
          concurrency: share(),
        },
      );
      worker.on('error', reportError);
      entry.worker = worker;
      reshare();
    }

    async function closeAccount(account: string, entry: Entry) {
      open.delete(account);
      await entry.worker?.close();
      // The stores (and the credentials in them) go with the entry.
      entry.vendors = undefined;
      if (typeof options.links !== 'function') await entry.links?.close?.();
      reshare();
    }

    async function tick(Worker: typeof import('bullmq').Worker) {
      if (sweeping || closing) return;
      sweeping = true;
      try {
        const aux = auxiliary as Redis;
        const now = Date.now();
        // Enqueues since the last look (with a margin for clocks of other machines).
        const fresh = await announcedAccounts(
          aux,
          prefix,
          name,
          discovered === undefined ? undefined : discovered - 5000,
        );
        const candidates = fresh.filter((account) => !open.has(account));
        const ready =
          discovered === undefined
            ? await accountsWithWork(aux, prefix, name, candidates)
            : new Set(candidates);
        discovered = now;
        for (const account of ready) await openAccount(account, Worker);
        const idle = [...open].filter(
          ([, entry]) => entry.running === 0 && now - entry.lastUsed >= accountIdleMs,
        );
        if (idle.length) {
          const busy = await accountsWithWork(
            aux,
            prefix,
            name,
            idle.map(([account]) => account),
          );
          for (const [account, entry] of idle) {
            if (busy.has(account)) entry.lastUsed = now;
            else await closeAccount(account, entry);
          }
        }
      } catch (error) {
        reportError(error as Error);
      } finally {
        sweeping = false;
      }
    }

    return {
      async start(Worker: typeof import('bullmq').Worker) {
        await tick(Worker);
        timer = setInterval(() => void tick(Worker), 1000);
      },
      async close(timeoutMs: number) {
        if (timer) clearInterval(timer);
        const entries = [...open];
        const cancel = setTimeout(() => {
          for (const [, entry] of entries) entry.worker?.cancelAllJobs('closing');
        }, timeoutMs);
        try {
          await Promise.all(entries.map(([account, entry]) => closeAccount(account, entry)));
        } finally {
          clearTimeout(cancel);
        }
      },
    };
  }

  const started = (async (): Promise<Worker | undefined> => {
    const { Worker } = await import('bullmq');
    // BullMQ's workers block on their connection: it needs maxRetriesPerRequest null.
    client = await openRedis(connection, { blocking: true, reporter });
    if (fleet) {
      auxiliary = await openRedis(connection, { reporter });
      // The limiters' own connection: every account's limiters share it.
      limiterClient = await openRedis(connection, { reporter });
      limiterConnection = limiterClient;
      await warnAboutDurability(client, connection, onWarning);
      await fleet.start(Worker);
      return undefined;
    }
    const { vendors } = single as NonNullable<typeof single>;
    const order = orderKeys(prefix, name);
    const worker = new Worker<PushJobData>(
      name,
      (job, token, signal) => process(job, token, signal, vendors, order),
      { ...workerOptions, connection: client, prefix, concurrency },
    );
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
      await fleet?.close(timeoutMs);
      await client?.quit().catch(() => undefined);
      await Promise.all([...limiters.values()].map((limiter) => limiter.close()));
      await auxiliary?.quit().catch(() => undefined);
      await limiterClient?.quit().catch(() => undefined);
      if (single && options.links === undefined) await single.links.close?.();
    },
  };
}

/** What a worker pushes with: an account's (or the only) stores and their ContactSyncs. */
interface Vendors {
  stores: ContactStore[];
  syncFor(remaining: readonly ContactStore[]): ReturnType<typeof createContactSync>;
}

/**
 * How long a job waits for an open breaker: until its probe (the longest `retryAfterMs`), then
 * twice as long at each further wait of the same job, with jitter, at most 5 minutes. A vendor
 * down for long costs a few job runs an hour, not one per cooldown.
 */
function breakerDelay(errors: readonly ContactSyncError[], waits: number): number {
  const base = Math.max(1000, ...errors.map((error) => error.retryAfterMs ?? 0));
  const grown = Math.min(300_000, base * 2 ** Math.min(Math.max(0, waits - 1), 8));
  return Math.round(grown * (0.75 + Math.random() * 0.5));
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
