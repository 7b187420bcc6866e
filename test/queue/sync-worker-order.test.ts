import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { ContactStoreConfig } from '../../providers/registry.js';
import { createSyncQueue, createSyncWorker } from '../../queue/index.js';
import { type Sandbox, startSandbox } from '../../sandbox/index.js';
import { redisLinkStore } from '../../src/redis/index.js';
import type { LinkStore, PushReport } from '../../src/sync/index.js';
import { type RedisServer, startRedisServer } from '../sync/support/redis-server.js';
import { settled } from './support/settled.js';
import { waitFor } from './support/wait-for.js';

let redis: RedisServer;
let sandbox: Sandbox;
let queueNumber = 0;
const open: { close(): Promise<void> }[] = [];

/** One request per try: the queue's retries are what is under test. */
const configs = (): ContactStoreConfig[] =>
  sandbox.storeConfigs().map((config) => ({ ...config, retry: false }) as ContactStoreConfig);
const phone = (index: number) => `+336${String(40_000_000 + index).slice(-8)}`;

beforeAll(async () => {
  [redis, sandbox] = await Promise.all([startRedisServer(), startSandbox()]);
});
afterAll(async () => {
  await sandbox?.close();
  await redis?.stop();
});
beforeEach(() => sandbox.reset());
afterEach(async () => {
  for (const item of open.splice(0).reverse()) await item.close();
});

function setUp(queueOptions: { attempts?: number; keepFailedForMs?: number } = {}) {
  const name = `order-${++queueNumber}`;
  const queue = createSyncQueue({ connection: redis.url, name, backoffMs: 0, ...queueOptions });
  const links = redisLinkStore({ connection: redis.url, prefix: `links-${name}` });
  const reports: { report: PushReport; attempt: number; final: boolean }[] = [];
  open.push(queue, { close: async () => links.close?.() });
  const startWorker = (extra: { links?: LinkStore; concurrency?: number } = {}) => {
    const worker = createSyncWorker({
      connection: redis.url,
      name,
      stores: configs(),
      links,
      rateLimitPrefix: `rate-${name}`,
      onReport: (report, job) => reports.push({ report, attempt: job.attempt, final: job.final }),
      ...extra,
    });
    open.push(worker);
    return worker;
  };
  return { name, queue, links, reports, startWorker };
}

describe('vendors isolated from each other', () => {
  it("a vendor's failure retries only that vendor's part", async () => {
    const { name, queue } = setUp({ attempts: 3 });
    sandbox.inject({ provider: 'callbell', status: 503, headers: { 'retry-after': '0' } });
    const tries: { statuses: string[]; final: boolean; requestsBefore: number }[] = [];
    const worker = createSyncWorker({
      connection: redis.url,
      name,
      stores: configs(),
      rateLimitPrefix: `rate-${name}`,
      onReport: (report, job) =>
        tries.push({
          statuses: report.results.map((result) => `${result.provider}:${result.status}`),
          final: job.final,
          requestsBefore: sandbox.requests.length,
        }),
    });
    open.push(worker);
    await queue.enqueue([{ key: 'iso-1', contact: { phone: phone(1), firstName: 'Iso' } }]);
    await settled(queue, { completed: 1 }, 30_000);
    expect(tries).toHaveLength(2);
    expect(tries[0]?.final).toBe(false);
    expect(tries[0]?.statuses.sort()).toEqual([
      'callbell:failed',
      'notificore:created',
      'smspartner:created',
    ]);
    // The second try's report still shows every vendor.
    expect(tries[1]?.statuses.sort()).toEqual([
      'callbell:created',
      'notificore:created',
      'smspartner:created',
    ]);
    // …but it sent requests to Callbell only.
    const second = sandbox.requests.slice(tries[0]?.requestsBefore);
    expect(second.length).toBeGreaterThan(0);
    expect(new Set(second.map((request) => request.provider))).toEqual(new Set(['callbell']));
    for (const vendor of ['smspartner', 'callbell', 'notificore'] as const) {
      expect(sandbox.emulators[vendor].contacts()).toHaveLength(1);
    }
  });

  it('a record failed for good, retried with failed --retry, pushes only the vendors that failed', async () => {
    const { queue, reports, startWorker } = setUp({ attempts: 1 });
    sandbox.inject({ provider: 'notificore', status: 500, times: 1 });
    startWorker();
    await queue.enqueue([{ key: 'iso-2', contact: { phone: phone(2) } }]);
    await settled(queue, { failed: 1 }, 30_000);
    const [failed] = await queue.failed();
    expect(failed?.errors.map((error) => error.provider)).toEqual(['notificore']);
    const before = sandbox.requests.length;
    expect(await queue.retryFailed()).toBe(1);
    await settled(queue, { completed: 1 }, 30_000);
    expect(new Set(sandbox.requests.slice(before).map((request) => request.provider))).toEqual(
      new Set(['notificore']),
    );
    expect(reports.at(-1)?.final).toBe(true);
    expect(reports.at(-1)?.report.results.every((result) => result.status !== 'failed')).toBe(true);
  });
});

describe('one job per key at a time, the newest record winning', () => {
  it('records of one key enqueued together make one job, which pushes the newest', async () => {
    const { queue, reports, startWorker } = setUp();
    const records = ['First', 'Second', 'Third'].map((firstName) => ({
      key: 'same-key',
      contact: { phone: phone(3), firstName },
    }));
    expect(await queue.enqueue(records)).toEqual({ enqueued: 3 });
    expect((await queue.counts()).waiting).toBe(1);
    startWorker();
    await settled(queue, { completed: 1 }, 30_000);
    expect(reports).toHaveLength(1);
    for (const vendor of ['smspartner', 'callbell', 'notificore'] as const) {
      const contacts = sandbox.emulators[vendor].contacts() as unknown as Record<string, unknown>[];
      expect(contacts).toHaveLength(1);
      expect(JSON.stringify(contacts[0])).toContain('Third');
    }
  });

  it('a record enqueued while its key is being pushed runs after it, never beside it, and wins', async () => {
    const { queue, reports, startWorker } = setUp();
    let active = 0;
    let most = 0;
    // Holds the first push at the vendor until the newer records are enqueued.
    let release!: () => void;
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    const links = redisLinkStore({ connection: redis.url, prefix: `links-held-${queueNumber}` });
    open.push({ close: async () => links.close?.() });
    const slow: LinkStore = {
      get: async (key) => {
        active += 1;
        most = Math.max(most, active);
        await held;
        try {
          return await links.get(key);
        } finally {
          active -= 1;
        }
      },
      set: (key, provider, id) => links.set(key, provider, id),
      delete: (key, provider) => links.delete(key, provider),
      findKey: (provider, id) => links.findKey(provider, id),
    };
    startWorker({ links: slow, concurrency: 4 });
    const onReport = reports.length;
    await queue.enqueue([{ key: 'busy', contact: { phone: phone(4), firstName: 'Old' } }]);
    await waitFor(() => active === 1, 'the first push to start');
    await queue.enqueue([{ key: 'busy', contact: { phone: phone(4), firstName: 'Newer' } }]);
    await queue.enqueue([{ key: 'busy', contact: { phone: phone(4), firstName: 'Newest' } }]);
    // The first job is active, one more waits for it; the third record replaced the second.
    release();
    await waitFor(() => reports.length >= onReport + 2, 'both pushes');
    await settled(queue, { completed: 2 }, 30_000);
    expect(most).toBe(1);
    const smspartner = sandbox.emulators.smspartner.contacts();
    expect(smspartner).toHaveLength(1);
    expect(JSON.stringify(smspartner[0])).toContain('Newest');
    expect(reports.map(({ report }) => report.record.contact.firstName)).toEqual(['Old', 'Newest']);
  });

  it('an older record retried after a newer one succeeded writes nothing', async () => {
    const { queue, startWorker } = setUp({ attempts: 1 });
    sandbox.inject({ provider: 'callbell', status: 500, times: 1 });
    startWorker();
    await queue.enqueue([{ key: 'stale', contact: { phone: phone(5), firstName: 'Old' } }]);
    await settled(queue, { failed: 1 }, 30_000);
    await queue.enqueue([{ key: 'stale', contact: { phone: phone(5), firstName: 'New' } }]);
    await settled(queue, { completed: 1, failed: 1 }, 30_000);
    const before = sandbox.requests.length;
    expect(await queue.retryFailed()).toBe(1);
    await settled(queue, { completed: 2 }, 30_000);
    expect(sandbox.requests.length).toBe(before);
    expect(JSON.stringify(sandbox.emulators.callbell.contacts())).toContain('New');
    expect(JSON.stringify(sandbox.emulators.callbell.contacts())).not.toContain('Old');
  });
});

describe('costs', () => {
  it('reads the links once per record', async () => {
    const { queue, links, startWorker } = setUp();
    let gets = 0;
    const counting: LinkStore = {
      get: (key) => {
        gets += 1;
        return links.get(key);
      },
      set: (key, provider, id) => links.set(key, provider, id),
      delete: (key, provider) => links.delete(key, provider),
      findKey: (provider, id) => links.findKey(provider, id),
    };
    startWorker({ links: counting });
    await queue.enqueue(
      Array.from({ length: 20 }, (_, index) => ({
        key: `cost-${index}`,
        contact: { phone: phone(100 + index) },
      })),
    );
    await settled(queue, { completed: 20 }, 30_000);
    expect(gets).toBe(20);
  });

  it('failed jobs expire: their removal age is the keepFailedForMs option (default 7 days)', async () => {
    const direct = new Redis(redis.url);
    open.push({ close: async () => void (await direct.quit()) });
    for (const [options, age] of [
      [{}, 7 * 86_400],
      [{ keepFailedForMs: 3_600_000 }, 3600],
    ] as const) {
      const { name, queue } = setUp(options);
      await queue.enqueue([{ key: 'expiry', contact: { phone: phone(6) } }]);
      const [id] = await direct.lrange(`contact-sync:queue:${name}:wait`, 0, 0);
      const opts = JSON.parse(
        (await direct.hget(`contact-sync:queue:${name}:${id}`, 'opts')) ?? '{}',
      );
      expect(opts.removeOnFail ?? opts.rof).toEqual({ age });
    }
  });
});
