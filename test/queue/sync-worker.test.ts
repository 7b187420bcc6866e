import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { ContactStoreConfig } from '../../providers/registry.js';
import { createSyncQueue, createSyncWorker, type SyncWorkerOptions } from '../../queue/index.js';
import { type Sandbox, startSandbox } from '../../sandbox/index.js';
import { isContactSyncError } from '../../src/errors.js';
import { redisLinkStore } from '../../src/redis/index.js';
import type { PushReport, SyncRecord } from '../../src/sync/index.js';
import { type RedisServer, startRedisServer } from '../sync/support/redis-server.js';
import { settled } from './support/settled.js';
import { waitFor } from './support/wait-for.js';

let redis: RedisServer;
let sandbox: Sandbox;
let queueNumber = 0;
const open: { close(): Promise<void> }[] = [];

const phoneOf = (index: number) => `+336${String(20_000_000 + index).slice(-8)}`;
const recordsOf = (count: number, from = 0): SyncRecord[] =>
  Array.from({ length: count }, (_, offset) => ({
    key: `crm-${from + offset}`,
    contact: { phone: phoneOf(from + offset), firstName: `Person ${from + offset}` },
  }));

/** One attempt per job try: the queue's retries are what is under test. */
const configs = (): ContactStoreConfig[] =>
  sandbox.storeConfigs().map((config) => ({ ...config, retry: false }) as ContactStoreConfig);

function setUp(
  workerOptions: Partial<SyncWorkerOptions> = {},
  queueOptions: { attempts?: number } = {},
) {
  const name = `basics-${++queueNumber}`;
  const queue = createSyncQueue({ connection: redis.url, name, backoffMs: 0, ...queueOptions });
  const links = redisLinkStore({ connection: redis.url, prefix: `links-${name}` });
  const reports: { report: PushReport; attempt: number }[] = [];
  const startWorker = (extra: Partial<SyncWorkerOptions> = {}) => {
    const worker = createSyncWorker({
      connection: redis.url,
      name,
      stores: configs(),
      links,
      rateLimitPrefix: `rate-${name}`,
      onReport: (report, job) => reports.push({ report, attempt: job.attempt }),
      ...workerOptions,
      ...extra,
    });
    open.push(worker);
    return worker;
  };
  open.push(queue, { close: async () => links.close?.() });
  return { queue, links, reports, startWorker };
}

const phonesAt = (vendor: keyof Sandbox['emulators']) =>
  sandbox.emulators[vendor].contacts().map((contact) => contact.phone);

beforeAll(async () => {
  [redis, sandbox] = await Promise.all([startRedisServer(), startSandbox()]);
});
afterEach(async () => {
  while (open.length) await open.pop()?.close();
  sandbox.setFaults({ rate: 0 });
  sandbox.reset();
});
afterAll(async () => {
  await sandbox?.close();
  await redis?.stop();
});

describe('createSyncQueue + createSyncWorker', () => {
  it('pushes every enqueued record to every vendor once and links it', async () => {
    const { queue, links, startWorker } = setUp();
    async function* stream() {
      yield* recordsOf(30);
    }
    expect(await queue.enqueue(stream())).toEqual({ enqueued: 30 });
    const worker = startWorker({ concurrency: 4 });
    await worker.ready();
    await settled(queue, { completed: 30 });
    for (const vendor of ['smspartner', 'callbell', 'notificore'] as const) {
      expect(new Set(phonesAt(vendor))).toEqual(new Set(recordsOf(30).map((r) => r.contact.phone)));
    }
    const linked = await links.get('crm-7');
    expect(Object.keys(linked ?? {}).sort()).toEqual(['callbell', 'notificore', 'smspartner']);
  });

  it('retries a job whose vendor failure is retryable, and it then completes', async () => {
    const { queue, reports, startWorker } = setUp({}, { attempts: 3 });
    sandbox.setFaults({ rate: 1, kinds: ['503'] });
    const worker = startWorker({
      onReport: (report, job) => {
        reports.push({ report, attempt: job.attempt });
        // The vendors recover after the first try.
        sandbox.setFaults({ rate: 0 });
      },
    });
    await queue.enqueue(recordsOf(1));
    await worker.ready();
    await settled(queue, { completed: 1 });
    expect(reports.map(({ attempt }) => attempt)).toEqual([1, 2]);
    const [first, second] = reports.map(({ report }) => report);
    expect(first?.results.every((result) => result.error?.code === 'provider_error')).toBe(true);
    expect(second?.results.map((result) => result.status)).toEqual([
      'created',
      'created',
      'created',
    ]);
    expect(phonesAt('callbell')).toEqual([phoneOf(0)]);
  });

  it('fails a job at once on a failure no retry can fix, keeping the typed error without secrets', async () => {
    const { queue, reports, startWorker } = setUp({}, { attempts: 5 });
    const stores = configs().map((config) =>
      config.provider === 'smspartner' ? { ...config, apiKey: 'wrong-secret-key' } : config,
    ) as ContactStoreConfig[];
    startWorker({ stores });
    await queue.enqueue(recordsOf(1, 100));
    await settled(queue, { failed: 1 });
    expect(reports).toHaveLength(1);
    const [failed] = await queue.failed();
    expect(failed).toMatchObject({ key: 'crm-100', attemptsMade: 1 });
    expect(failed?.errors.map((error) => [error.provider, error.code])).toEqual([
      ['smspartner', 'unauthorized'],
    ]);
    expect(isContactSyncError(failed?.errors[0])).toBe(true);
    const shown = JSON.stringify(failed) + (failed?.reason ?? '');
    expect(shown).not.toContain('wrong-secret-key');
    expect(shown).not.toContain(phoneOf(100).slice(1));
    // The other vendors were written, and a later run will find them through the links.
    expect(phonesAt('callbell')).toEqual([phoneOf(100)]);
  });

  it('tells its logger each failed try (key, vendor, code) and gives it to the stores, with no secret or phone', async () => {
    const lines: { level: string; object: Record<string, unknown>; message?: string }[] = [];
    const at = (level: string) => (object: Record<string, unknown>, message?: string) =>
      void lines.push({ level, object, message });
    const logger = { debug: at('debug'), warn: at('warn'), error: at('error') };
    const { queue, startWorker } = setUp({}, { attempts: 1 });
    const stores = configs().map((config) =>
      config.provider === 'smspartner' ? { ...config, apiKey: 'wrong-secret-key' } : config,
    ) as ContactStoreConfig[];
    startWorker({ stores, logger });
    await queue.enqueue(recordsOf(1, 150));
    await settled(queue, { failed: 1 });
    const failures = lines.filter((line) => line.message === 'contact-sync job failed');
    expect(
      failures.map((line) => [line.level, line.object.key, line.object.provider, line.object.code]),
    ).toEqual([['warn', 'crm-150', 'smspartner', 'unauthorized']]);
    // The stores log their requests through the same logger.
    expect(lines.some((line) => line.message === 'contact-sync request')).toBe(true);
    const text = JSON.stringify(lines);
    expect(text).not.toContain('wrong-secret-key');
    expect(text).not.toContain(phoneOf(150).slice(1));
  });

  it('fails a bad record at once with invalid_input naming the field, without its phone', async () => {
    const { queue, startWorker } = setUp();
    startWorker();
    await queue.enqueue([{ key: 'bad-phone', contact: { phone: '+33 12' } } as SyncRecord]);
    await settled(queue, { failed: 1 });
    const [failed] = await queue.failed();
    expect(failed?.errors[0]?.code).toBe('invalid_input');
    expect(failed?.errors[0]?.issues?.[0]?.path).toBe('contact.phone');
    expect(JSON.stringify(failed)).not.toContain('+33 12');
  });

  it('keeps a job failed once its attempts are spent; it can be listed and retried', async () => {
    const { queue, reports, startWorker } = setUp({}, { attempts: 2 });
    sandbox.setFaults({ rate: 1, kinds: ['500'] });
    startWorker();
    await queue.enqueue(recordsOf(2, 200));
    await settled(queue, { failed: 2 });
    expect(reports).toHaveLength(4);
    const failed = await queue.failed();
    expect(failed.map((job) => job.key).sort()).toEqual(['crm-200', 'crm-201']);
    for (const job of failed) {
      expect(job.attemptsMade).toBe(2);
      expect(job.errors.map((error) => error.provider).sort()).toEqual([
        'callbell',
        'notificore',
        'smspartner',
      ]);
      expect(job.errors.every((error) => error.code === 'provider_error' && error.retryable)).toBe(
        true,
      );
    }
    sandbox.setFaults({ rate: 0 });
    expect(await queue.retryFailed([failed[0]?.id as string])).toBe(1);
    await settled(queue, { completed: 1, failed: 1 });
    expect(await queue.retryFailed()).toBe(1);
    await settled(queue, { completed: 2 });
    expect(phonesAt('notificore').sort()).toEqual([phoneOf(200), phoneOf(201)]);
  });

  it('refuses a built store and bad options with invalid_config naming them', () => {
    const attempt = (options: Record<string, unknown>) => {
      try {
        createSyncWorker({ connection: redis.url, name: 'x', stores: configs(), ...options });
      } catch (error) {
        return isContactSyncError(error) ? error.issues?.map((issue) => issue.path) : error;
      }
      return [];
    };
    expect(attempt({ concurrency: 0, name: 'a b', surprise: 1 })).toEqual([
      'surprise',
      'name',
      'concurrency',
    ]);
    const built = { provider: 'callbell', upsert: () => undefined };
    expect(attempt({ stores: [built] })).toEqual(['stores.0']);
    expect(attempt({ stores: [{ provider: 'callbell' }] })).toEqual(['stores.0.apiToken']);
    expect(() => createSyncQueue({ connection: 'localhost', name: 'q' })).toThrow(/connection/);
  });

  it('refuses a record without a key, after enqueueing the ones before it', async () => {
    const { queue } = setUp();
    const records = [...recordsOf(2, 300), { contact: { phone: phoneOf(302) } }] as SyncRecord[];
    const error = await queue.enqueue(records).catch((caught: unknown) => caught);
    expect(isContactSyncError(error) && error.issues?.[0]?.path).toBe('records.2.key');
    expect((await queue.counts()).waiting).toBe(2);
  });
});

describe('graceful close', () => {
  let slow: Sandbox;
  beforeAll(async () => {
    slow = await startSandbox({ latencyMs: 400 });
  });
  afterAll(async () => {
    await slow?.close();
  });

  function slowWorker(name: string, concurrency: number, attempts: number[] = []) {
    const worker = createSyncWorker({
      connection: redis.url,
      name,
      stores: slow.storeConfigs(),
      rateLimitPrefix: `rate-${name}`,
      concurrency,
      onReport: (_, job) => attempts.push(job.attempt),
    });
    open.push(worker);
    return worker;
  }

  it('lets the jobs in flight finish', async () => {
    const name = `close-${++queueNumber}`;
    const queue = createSyncQueue({ connection: redis.url, name });
    open.push(queue);
    await queue.enqueue(recordsOf(3, 400));
    const worker = slowWorker(name, 3);
    await waitFor(async () => (await queue.counts()).active === 3, 'three active jobs');
    await worker.close();
    expect(await queue.counts()).toMatchObject({ completed: 3, active: 0, waiting: 0 });
  });

  it('hands back the jobs that outlast the timeout, without spending a try; they finish once', async () => {
    const name = `close-${++queueNumber}`;
    const queue = createSyncQueue({ connection: redis.url, name });
    open.push(queue);
    slow.reset();
    await queue.enqueue(recordsOf(3, 500));
    const first = slowWorker(name, 3);
    await waitFor(async () => (await queue.counts()).active === 3, 'three active jobs');
    await first.close({ timeoutMs: 0 });
    expect(await queue.counts()).toMatchObject({ waiting: 3, active: 0, completed: 0, failed: 0 });
    const attempts: number[] = [];
    const second = slowWorker(name, 3, attempts);
    await waitFor(async () => (await queue.counts()).completed === 3, 'the jobs to complete');
    await second.close();
    expect(attempts).toEqual([1, 1, 1]);
    const phones = slow.emulators.callbell.contacts().map((contact) => contact.phone);
    expect(phones.sort()).toEqual([phoneOf(500), phoneOf(501), phoneOf(502)]);
  });
});
