import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { redisLinkStore } from '../../src/redis/index.js';
import { createContactSync } from '../../src/sync/index.js';
import { createFakeContactStore } from './support/fake-contact-store.js';
import { describeLinkStore } from './support/link-store-conformance.js';
import { type RedisServer, startRedisServer } from './support/redis-server.js';

let server: RedisServer;
let prefixCounter = 0;
let currentPrefix = '';

beforeAll(async () => {
  server = await startRedisServer();
});
afterAll(async () => {
  await server?.stop();
});

describeLinkStore('redisLinkStore', {
  makeLinkStore: () => {
    currentPrefix = `test-${++prefixCounter}`;
    return redisLinkStore({ connection: server.url, prefix: currentPrefix });
  },
  reopenLinkStore: () => redisLinkStore({ connection: server.url, prefix: currentPrefix }),
});

describe('redisLinkStore', () => {
  it('keeps one hash per key: HSET <prefix>:<key> <provider> <id>', async () => {
    const links = redisLinkStore({ connection: server.url, prefix: 'layout' });
    await links.set('crm-1', 'smspartner', '101');
    await links.set('crm-1', 'callbell', 'uuid-1');
    const client = new Redis(server.url);
    try {
      expect(await client.hgetall('layout:crm-1')).toEqual({
        smspartner: '101',
        callbell: 'uuid-1',
      });
      await client.hset('layout:crm-2', 'notificore', '7');
      expect(await links.get('crm-2')).toEqual({ notificore: '7' });
    } finally {
      await client.quit();
      await links.close?.();
    }
  });

  it("uses 'contact-sync:links' as the default prefix", async () => {
    const links = redisLinkStore({ connection: server.url });
    await links.set('crm-default', 'a', '1');
    const client = new Redis(server.url);
    try {
      expect(await client.hget('contact-sync:links:crm-default', 'a')).toBe('1');
    } finally {
      await client.quit();
      await links.close?.();
    }
  });

  it('uses a client it is given and leaves it open on close', async () => {
    const client = new Redis(server.url);
    try {
      const links = redisLinkStore({ connection: client, prefix: 'given' });
      await links.set('crm-1', 'a', '1');
      await links.close?.();
      expect(client.status).toBe('ready');
      expect(await client.hget('given:crm-1', 'a')).toBe('1');
    } finally {
      await client.quit();
    }
  });

  it('accepts ioredis options and quits the connection it created on close', async () => {
    const port = Number(new URL(server.url).port);
    const links = redisLinkStore({ connection: { host: '127.0.0.1', port }, prefix: 'options' });
    await links.set('crm-1', 'a', '1');
    expect(await links.get('crm-1')).toEqual({ a: '1' });
    await links.close?.();
  });

  it('keeps ContactSync links shared by two processes worth of stores', async () => {
    const alpha = createFakeContactStore('alpha');
    const first = redisLinkStore({ connection: server.url, prefix: 'shared' });
    const second = redisLinkStore({ connection: server.url, prefix: 'shared' });
    try {
      await createContactSync({ stores: [alpha], links: first }).push({
        key: 'crm-1',
        contact: { phone: '+33612345678' },
      });
      const report = await createContactSync({ stores: [alpha], links: second }).push({
        key: 'crm-1',
        contact: { phone: '+33612345678', firstName: 'Jeanne' },
      });
      expect(report.results[0]).toMatchObject({ status: 'updated', id: 'alpha-1' });
      expect(alpha.calls.at(-1)).toEqual({ operation: 'update', id: 'alpha-1' });
    } finally {
      await first.close?.();
      await second.close?.();
    }
  });

  it.each([
    ['no connection', {}, 'connection'],
    ['an empty URL', { connection: '' }, 'connection'],
    ['an empty prefix', { connection: 'redis://127.0.0.1', prefix: '' }, 'prefix'],
    ['an unknown option', { connection: 'redis://127.0.0.1', db: 2 }, 'db'],
  ])('rejects %s with invalid_config naming it', (_case, options, path) => {
    expect(() => redisLinkStore(options as never)).toThrow(
      expect.objectContaining({
        code: 'invalid_config',
        issues: [expect.objectContaining({ path })],
      }),
    );
  });
});
