import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createAcmeEmulator } from '../../examples/acme-provider/src/emulator.js';
import { acmeProvider } from '../../examples/acme-provider/src/index.js';
import type { AnyStoreConfig } from '../../providers/registry.js';
import { createSyncQueue, createSyncWorker } from '../../queue/index.js';
import { type Sandbox, startSandbox } from '../../sandbox/index.js';
import { redisLinkStore } from '../../src/redis/index.js';
import type { PushReport } from '../../src/sync/index.js';
import { type RedisServer, startRedisServer } from '../sync/support/redis-server.js';
import { settled } from './support/settled.js';

// A vendor written outside the package (examples/acme-provider imports only contact-sync/*),
// served by the sandbox next to a shipped one, pushed by a worker over a real redis-server.
const acme = createAcmeEmulator({ apiKey: 'sandbox-acme-key' });
let redis: RedisServer;
let sandbox: Sandbox<AnyStoreConfig>;
const open: { close(): Promise<void> }[] = [];

beforeAll(async () => {
  [redis, sandbox] = await Promise.all([
    startRedisServer(),
    startSandbox({ emulators: [acme], providers: [acmeProvider] }),
  ]);
});
afterEach(async () => {
  while (open.length) await open.pop()?.close();
  sandbox.reset();
});
afterAll(async () => {
  await sandbox?.close();
  await redis?.stop();
});

const configs = (...names: string[]) =>
  sandbox
    .storeConfigs()
    .filter((config) => names.includes(config.provider))
    .map((config) => ({ ...config, retry: false }));

describe('createSyncWorker({ providers })', () => {
  it('pushes to an outside vendor as to a shipped one, once per record, and links it', async () => {
    const name = 'outside-1';
    const queue = createSyncQueue({ connection: redis.url, name, backoffMs: 0 });
    const links = redisLinkStore({ connection: redis.url, prefix: `links-${name}` });
    const reports: PushReport[] = [];
    const worker = createSyncWorker({
      connection: redis.url,
      name,
      providers: [acmeProvider],
      stores: configs('acme', 'callbell'),
      links,
      rateLimitPrefix: `rate-${name}`,
      concurrency: 4,
      onReport: (report) => reports.push(report),
    });
    open.push(queue, { close: async () => links.close?.() }, worker);
    const records = Array.from({ length: 12 }, (_, index) => ({
      key: `crm-${index}`,
      contact: { phone: `+3361234${String(index).padStart(4, '0')}`, firstName: `P${index}` },
    }));
    await queue.enqueue(records);
    await worker.ready();
    await settled(queue, { completed: 12 });
    expect(
      acme
        .contacts()
        .map((contact) => contact.phone)
        .sort(),
    ).toEqual(records.map((record) => record.contact.phone).sort());
    expect(sandbox.emulators.callbell.contacts()).toHaveLength(12);
    const linked = await links.get('crm-3');
    expect(Object.keys(linked ?? {}).sort()).toEqual(['acme', 'callbell']);
    expect(linked?.acme).toBe(
      acme.contacts().find((c) => c.phone === records[3]?.contact.phone)?.id,
    );
    expect(reports.flatMap((report) => report.results).filter((result) => result.error)).toEqual(
      [],
    );
  });

  it('without providers, a config naming the outside vendor is invalid_config naming it', () => {
    expect(() =>
      createSyncWorker({ connection: redis.url, name: 'outside-2', stores: configs('acme') }),
    ).toThrow(
      expect.objectContaining({
        code: 'invalid_config',
        issues: [expect.objectContaining({ path: 'stores.0.provider' })],
      }),
    );
  });

  it('refuses a provider that takes a shipped vendor name, before connecting', () => {
    expect(() =>
      createSyncWorker({
        connection: redis.url,
        name: 'outside-3',
        providers: [{ ...acmeProvider, name: 'notificore' }],
        stores: configs('callbell'),
      }),
    ).toThrow(
      expect.objectContaining({
        code: 'invalid_config',
        issues: [expect.objectContaining({ path: 'providers[0].name' })],
      }),
    );
  });
});
