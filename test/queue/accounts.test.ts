import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { ContactStoreConfig } from '../../providers/registry.js';
import {
  type AccountResolver,
  createSyncQueue,
  createSyncWorker,
  type SyncQueue,
  type SyncWorkerOptions,
} from '../../queue/index.js';
import { type Sandbox, startSandbox } from '../../sandbox/index.js';
import { isContactSyncError } from '../../src/errors.js';
import type { SyncRecord } from '../../src/sync/index.js';
import { type RedisServer, startRedisServer } from '../sync/support/redis-server.js';
import { waitFor } from './support/wait-for.js';

let redis: RedisServer;
let sandbox: Sandbox;
let inspect: Redis;
let queueNumber = 0;
const open: { close(): Promise<void> }[] = [];

const phoneOf = (index: number) => `+336${String(30_000_000 + index).slice(-8)}`;
const recordsOf = (count: number, from = 0): SyncRecord[] =>
  Array.from({ length: count }, (_, offset) => ({
    key: `crm-${offset}`,
    contact: { phone: phoneOf(from + offset), firstName: `Person ${from + offset}` },
  }));

/** One attempt per try (the queue's retries are under test), a breaker that opens at once. */
const configsOf = (account: string): ContactStoreConfig[] =>
  sandbox.accounts
    .add(account)
    .storeConfigs()
    .map(
      (config) =>
        ({
          ...config,
          retry: false,
          breaker: { failures: 2, cooldownMs: 1000 },
        }) as ContactStoreConfig,
    );

function setUp(resolver: AccountResolver, extra: Partial<SyncWorkerOptions> = {}) {
  const name = `accounts-${++queueNumber}`;
  const queue = createSyncQueue({ connection: redis.url, name, backoffMs: 0, attempts: 3 });
  const worker = createSyncWorker({
    connection: redis.url,
    name,
    accounts: resolver,
    rateLimitPrefix: `rate-${name}`,
    concurrency: 4,
    ...extra,
  });
  open.push(worker, queue);
  return { name, queue, worker };
}

async function settledAt(
  queue: SyncQueue,
  account: string,
  expected: { completed?: number; failed?: number },
) {
  await waitFor(
    async () => {
      const counts = await queue.counts({ account });
      return (
        counts.completed === (expected.completed ?? 0) &&
        counts.failed === (expected.failed ?? 0) &&
        counts.waiting + counts.active + counts.delayed === 0
      );
    },
    `${account} to settle at ${JSON.stringify(expected)}`,
  );
}

const phonesAt = (account: string, vendor: 'smspartner' | 'callbell' | 'notificore') =>
  sandbox.accounts
    .add(account)
    .emulators[vendor].contacts()
    .map((contact) => contact.phone)
    .sort();

beforeAll(async () => {
  [redis, sandbox] = await Promise.all([startRedisServer(), startSandbox()]);
  inspect = new Redis(redis.url);
});
afterEach(async () => {
  while (open.length) await open.pop()?.close();
});
afterAll(async () => {
  inspect?.disconnect();
  await sandbox?.close();
  await redis?.stop();
});

describe('createSyncWorker({ accounts })', () => {
  it('keeps each account to its own vendors, links, order and counts, even with the same keys', async () => {
    const asked: string[] = [];
    const { queue, name } = setUp(async (account) => {
      asked.push(account);
      return { stores: configsOf(account), defaultCountry: 'FR' };
    });
    // The same CRM keys in both accounts, different phones.
    await queue.enqueue(recordsOf(20, 0), { account: 'alpha' });
    await queue.enqueue(recordsOf(20, 100), { account: 'beta' });
    await settledAt(queue, 'alpha', { completed: 20 });
    await settledAt(queue, 'beta', { completed: 20 });
    const expected = (from: number) =>
      recordsOf(20, from)
        .map((r) => r.contact.phone)
        .sort();
    for (const vendor of ['smspartner', 'callbell', 'notificore'] as const) {
      expect(phonesAt('alpha', vendor)).toEqual(expected(0));
      expect(phonesAt('beta', vendor)).toEqual(expected(100));
    }
    // Built once per account, not per job.
    expect(asked.sort()).toEqual(['alpha', 'beta']);
    expect(await queue.accounts()).toEqual(['alpha', 'beta']);
    // Links per account: crm-0 has two sets of ids, under each account's prefix.
    const alpha = await inspect.hgetall('contact-sync:links:alpha:links:crm-0');
    const beta = await inspect.hgetall('contact-sync:links:beta:links:crm-0');
    expect(Object.keys(alpha).sort()).toEqual(['callbell', 'notificore', 'smspartner']);
    expect(alpha.callbell).not.toBe(beta.callbell);
    // The queue's keys live under <prefix>:<account>:…
    expect(await inspect.exists(`contact-sync:queue:alpha:${name}:id`)).toBe(1);
    // A second push of alpha's records updates alpha only.
    await queue.enqueue(
      recordsOf(5, 0).map((record) => ({
        ...record,
        contact: { ...record.contact, firstName: 'New' },
      })),
      { account: 'alpha' },
    );
    await settledAt(queue, 'alpha', { completed: 25 });
    expect(phonesAt('alpha', 'callbell')).toHaveLength(20);
    expect(phonesAt('beta', 'callbell')).toEqual(expected(100));
  });

  it('a resolver that throws fails that account’s jobs (invalid_config), not the worker', async () => {
    const { queue } = setUp(async (account) => {
      if (account === 'broken') throw new Error('secret store said: key sk_live_zzz is gone');
      return { stores: configsOf(account) };
    });
    await queue.enqueue(recordsOf(3, 200), { account: 'broken' });
    await queue.enqueue(recordsOf(3, 300), { account: 'gamma' });
    await settledAt(queue, 'broken', { failed: 3 });
    await settledAt(queue, 'gamma', { completed: 3 });
    const [failed] = await queue.failed({ account: 'broken' });
    expect(failed?.errors[0]?.code).toBe('invalid_config');
    expect(failed?.errors[0]?.operation).toBe('accounts');
    expect(failed?.reason).not.toContain('sk_live_zzz');
    expect(await queue.failed({ account: 'gamma' })).toEqual([]);
  });

  it('a revoked account fails at once (unauthorized) while the others go on', async () => {
    const revoked = configsOf('revoked');
    sandbox.accounts.remove('revoked');
    const { queue } = setUp(async (account) => ({
      stores: account === 'revoked' ? revoked : configsOf(account),
    }));
    await queue.enqueue(recordsOf(3, 400), { account: 'revoked' });
    await queue.enqueue(recordsOf(3, 500), { account: 'delta' });
    await settledAt(queue, 'revoked', { failed: 3 });
    await settledAt(queue, 'delta', { completed: 3 });
    const failed = await queue.failed({ account: 'revoked' });
    expect(failed.every((job) => job.attemptsMade === 1)).toBe(true);
    expect(failed[0]?.errors.map((error) => error.code)).toContain('unauthorized');
  });

  it('an open breaker delays the account’s jobs at that vendor without spending tries', async () => {
    const { queue } = setUp(async (account) => ({ stores: configsOf(account) }));
    configsOf('epsilon');
    sandbox.accounts.outage('epsilon', 'callbell', 503);
    await queue.enqueue(recordsOf(10, 600), { account: 'epsilon' });
    // The other vendors get every record while Callbell is down.
    await waitFor(
      () => phonesAt('epsilon', 'smspartner').length === 10,
      'SMS Partner to hold every record',
    );
    await waitFor(
      async () => (await queue.counts({ account: 'epsilon' })).delayed > 0,
      'a delayed job',
    );
    const counts = await queue.counts({ account: 'epsilon' });
    expect(counts.failed).toBe(0);
    sandbox.accounts.outage('epsilon', 'callbell', undefined);
    await settledAt(queue, 'epsilon', { completed: 10 });
    expect(phonesAt('epsilon', 'callbell')).toHaveLength(10);
    // No try was spent waiting: queue attempts 3, one try each would have been a retry.
    expect(await queue.failed({ account: 'epsilon' })).toEqual([]);
  });

  it('one rate limit per credential: a key shared by two accounts is one Redis key, and no key holds a credential', async () => {
    const shared = configsOf('zeta');
    const { queue, name } = setUp(async (account) => ({
      stores: account === 'eta' ? shared : configsOf(account),
    }));
    await queue.enqueue(recordsOf(2, 700), { account: 'zeta' });
    await queue.enqueue(recordsOf(2, 710), { account: 'eta' });
    await queue.enqueue(recordsOf(2, 720), { account: 'theta' });
    for (const account of ['zeta', 'eta', 'theta'])
      await settledAt(queue, account, { completed: 2 });
    const keys = (await inspect.keys(`rate-${name}:*`)).filter(
      (key) => !/:(paused|clock)$/.test(key),
    );
    // zeta and eta share their three keys; theta has its own three.
    expect(keys.filter((key) => key.startsWith(`rate-${name}:callbell:`))).toHaveLength(2);
    for (const key of await inspect.keys('*')) {
      expect(key).not.toMatch(/sandbox-(smspartner|callbell|notificore)-(key|token)|test_sandbox/);
    }
  });

  it('refuses stores with accounts, a bad account name, and links that are not per account', () => {
    const resolver: AccountResolver = async () => ({ stores: [] });
    const refused = (build: () => unknown) => {
      try {
        build();
      } catch (error) {
        return isContactSyncError(error) ? error.issues?.[0]?.path : 'not typed';
      }
      return 'accepted';
    };
    expect(
      refused(() =>
        createSyncWorker({ connection: redis.url, name: 'x', accounts: resolver, stores: [] }),
      ),
    ).toBe('accounts');
    expect(
      refused(() =>
        createSyncWorker({
          connection: redis.url,
          name: 'x',
          accounts: resolver,
          accountIdleMs: 5,
        }),
      ),
    ).toBe('accountIdleMs');
    const queue = createSyncQueue({ connection: redis.url, name: 'x' });
    open.push(queue);
    return expect(queue.enqueue(recordsOf(1), { account: 'a:b' })).rejects.toMatchObject({
      code: 'invalid_input',
      issues: [{ path: 'options.account' }],
    });
  });
});
