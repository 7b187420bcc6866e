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
  requireState: true,
});

describe('redisLinkStore sync state', () => {
  const drain = async (keys: AsyncIterable<string> | string[]) => {
    const out: string[] = [];
    for await (const key of keys) out.push(key);
    return out.sort();
  };

  it('reads the hashes of the old layout: links as { id }, listed by keys once indexed', async () => {
    const client = new Redis(server.url);
    // Written as the store did before sync state: the hash and its reverse entry, no key set.
    await client.hset('old:crm-1', 'alpha', 'a-1');
    await client.hset('old-by-id:alpha', 'a-1', 'crm-1');
    const links = redisLinkStore({ connection: server.url, prefix: 'old' });
    try {
      expect(await links.getState?.('crm-1')).toEqual({ alpha: { id: 'a-1' } });
      await links.setState?.('crm-2', 'alpha', { id: 'a-2', fingerprint: 'f', verifiedAt: 'v' });
      expect(await drain(links.keys?.() ?? [])).toEqual(['crm-1', 'crm-2']);
      expect(await links.get('crm-2')).toEqual({ alpha: 'a-2' });
      expect(await client.hgetall('old:crm-2')).toEqual({ alpha: 'a-2' });
    } finally {
      await client.quit();
      await links.close?.();
    }
  });

  it('keeps every key under its prefix: a per-account prefix sees only its own keys', async () => {
    const outer = redisLinkStore({ connection: server.url, prefix: 'acct' });
    const inner = redisLinkStore({ connection: server.url, prefix: 'acct:42' });
    const client = new Redis(server.url);
    try {
      await outer.set('crm-1', 'alpha', '1');
      await inner.set('crm-9', 'alpha', '9');
      await inner.markSeen?.('run', ['crm-9']);
      await inner.tombstone?.('hash');
      await inner.tombstoneSecret?.();
      expect(await drain(outer.keys?.() ?? [])).toEqual(['crm-1']);
      expect(await drain(inner.keys?.() ?? [])).toEqual(['crm-9']);
      expect(await drain(outer.unseen?.('run') ?? [])).toEqual(['crm-1']);
      expect(await outer.isErased?.(['hash'])).toBe(false);
      expect(await outer.tombstoneSecret?.()).not.toBe(await inner.tombstoneSecret?.());
      const all = await client.keys('acct:42*');
      expect(all.length).toBeGreaterThan(0);
      expect(all.every((name) => name.startsWith('acct:42'))).toBe(true);
    } finally {
      await client.quit();
      await outer.close?.();
      await inner.close?.();
    }
  });
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

  describe('findKey', () => {
    type Finder = { findKey(provider: string, id: string): Promise<string | undefined> };
    it('finds the key of an id with one HGET on the reverse hash, kept with set and delete', async () => {
      const links = redisLinkStore({ connection: server.url, prefix: 'reverse' });
      const find = (provider: string, id: string) =>
        (links as unknown as Finder).findKey(provider, id);
      const client = new Redis(server.url);
      try {
        await links.set('crm-1', 'smspartner', '101');
        await links.set('crm-1', 'callbell', 'uuid-1');
        await links.set('crm-2', 'smspartner', '102');
        expect(await find('smspartner', '101')).toBe('crm-1');
        expect(await find('callbell', 'uuid-1')).toBe('crm-1');
        expect(await find('smspartner', '102')).toBe('crm-2');
        expect(await find('callbell', '101')).toBeUndefined();
        expect(await client.hgetall('reverse-by-id:smspartner')).toEqual({
          '101': 'crm-1',
          '102': 'crm-2',
        });

        // Relinked: the old id is no longer anyone's.
        await links.set('crm-1', 'smspartner', '201');
        expect(await find('smspartner', '101')).toBeUndefined();
        expect(await find('smspartner', '201')).toBe('crm-1');

        await links.delete('crm-1', 'smspartner');
        expect(await find('smspartner', '201')).toBeUndefined();
        expect(await find('callbell', 'uuid-1')).toBe('crm-1');
        await links.delete('crm-1');
        expect(await find('callbell', 'uuid-1')).toBeUndefined();
        expect(await links.get('crm-1')).toBeUndefined();
        expect(await find('smspartner', '102')).toBe('crm-2');
      } finally {
        await client.quit();
        await links.close?.();
      }
    });

    it('an id taken over by another key is found under that key; the first key letting go of it does not erase it', async () => {
      const links = redisLinkStore({ connection: server.url, prefix: 'takeover' });
      const find = (id: string) => (links as unknown as Finder).findKey('p', id);
      try {
        await links.set('a', 'p', '7');
        await links.set('b', 'p', '7');
        expect(await find('7')).toBe('b');
        await links.set('a', 'p', '8');
        await links.delete('a');
        expect(await find('7')).toBe('b');
        expect(await find('8')).toBeUndefined();
      } finally {
        await links.close?.();
      }
    });

    it('agrees with get after many concurrent relinks of one key from two stores', async () => {
      const first = redisLinkStore({ connection: server.url, prefix: 'race' });
      const second = redisLinkStore({ connection: server.url, prefix: 'race' });
      const client = new Redis(server.url);
      try {
        await Promise.all(
          Array.from({ length: 200 }, (_, index) =>
            (index % 2 ? first : second).set('k', 'p', String(index)),
          ),
        );
        const linked = (await first.get('k'))?.p as string;
        expect(await client.hgetall('race-by-id:p')).toEqual({ [linked]: 'k' });
      } finally {
        await client.quit();
        await first.close?.();
        await second.close?.();
      }
    });
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
