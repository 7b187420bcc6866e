import type { Redis, RedisOptions } from 'ioredis';
import { ContactSyncError, invalidConfig } from '../errors.js';
import type { LinkStore } from '../sync/link-store.js';

/** The few commands the link store sends; any ioredis client (or compatible) has them. */
type RedisClient = Pick<Redis, 'hgetall' | 'hset' | 'hdel' | 'del' | 'quit'>;

export interface RedisLinkStoreOptions {
  /**
   * A Redis URL (`redis://user:pass@host:6379/0`), ioredis options, or an ioredis client you
   * own. Required. The store quits only a connection it created itself.
   */
  connection: string | RedisOptions | RedisClient;
  /** Prefix of every key: the links of `key` are the hash `<prefix>:<key>`. Default `contact-sync:links`. */
  prefix?: string;
}

/**
 * Links in Redis, shared by several processes or machines: one hash per key
 * (`HSET <prefix>:<key> <provider> <id>`). Needs the optional peer dependency `ioredis`.
 */
export function redisLinkStore(options: RedisLinkStoreOptions): LinkStore {
  const { connection, prefix = 'contact-sync:links' } = checkOptions(options);
  const owned = !isClient(connection);
  let client: Promise<RedisClient> | undefined;
  const redis = () => {
    client ??= isClient(connection) ? Promise.resolve(connection) : connect(connection);
    return client;
  };
  const hashOf = (key: string) => `${prefix}:${key}`;

  return {
    async get(key) {
      const links = await (await redis()).hgetall(hashOf(key));
      return Object.keys(links).length ? { ...links } : undefined;
    },
    async set(key, provider, id) {
      await (await redis()).hset(hashOf(key), provider, id);
    },
    async delete(key, provider) {
      const connected = await redis();
      if (provider === undefined) await connected.del(hashOf(key));
      else await connected.hdel(hashOf(key), provider);
    },
    async close() {
      if (!client || !owned) return;
      const connected = await client;
      client = undefined;
      await connected.quit();
    },
  };
}

function checkOptions(options: RedisLinkStoreOptions): RedisLinkStoreOptions {
  if (typeof options !== 'object' || options === null) {
    throw invalidConfig([{ path: 'options', message: 'expected an object with connection' }]);
  }
  const { connection, prefix } = options;
  const issues = Object.keys(options)
    .filter((name) => name !== 'connection' && name !== 'prefix')
    .map((name) => ({ path: name, message: 'unknown option' }));
  if (
    !(typeof connection === 'string' && connection.trim() !== '') &&
    !(typeof connection === 'object' && connection !== null)
  ) {
    issues.push({
      path: 'connection',
      message: 'expected a Redis URL, ioredis options or an ioredis client',
    });
  }
  if (prefix !== undefined && (typeof prefix !== 'string' || prefix === '')) {
    issues.push({ path: 'prefix', message: 'expected a non-empty string' });
  }
  if (issues.length) throw invalidConfig(issues);
  return options;
}

function isClient(connection: RedisLinkStoreOptions['connection']): connection is RedisClient {
  return (
    typeof connection === 'object' && typeof (connection as RedisClient).hgetall === 'function'
  );
}

async function connect(connection: string | RedisOptions): Promise<RedisClient> {
  let Redis: typeof import('ioredis').Redis;
  try {
    const module = await import('ioredis');
    // The CommonJS build exposes the class both as `Redis` and as the default export.
    Redis = module.Redis ?? module.default;
  } catch (error) {
    throw new ContactSyncError({
      code: 'invalid_config',
      message:
        '[contact-sync] redisLinkStore needs the ioredis package: npm install ioredis (an optional peer dependency)',
      cause: error,
    });
  }
  return typeof connection === 'string' ? new Redis(connection) : new Redis(connection);
}
