import type { Redis } from 'ioredis';
import { invalidConfig, type ValidationIssue } from '../errors.js';
import type { LinkStore } from '../sync/link-store.js';
import {
  createRedisErrorReporter,
  openRedis,
  type RedisConnection,
  type RedisErrorReporter,
  redisConnectionIssue,
} from './connection.js';

/** The few commands the link store sends; any ioredis client (or compatible) has them. */
export type RedisClient = Pick<Redis, 'hgetall' | 'hget' | 'eval' | 'quit'>;

/** Options of {@link redisLinkStore}. */
export interface RedisLinkStoreOptions {
  /**
   * A Redis URL (`redis://user:pass@host:6379/0`, `rediss://…`, `unix:///path/redis.sock`),
   * ioredis options (`{ host, port, db, … }` or `{ url, … }`), or an ioredis client you own.
   * Required. The store quits only a connection it created itself; that one connects within
   * 5 s and waits at most 5 s for any answer (ioredis's `connectTimeout` and `commandTimeout`
   * change both), so a Redis that is down fails each call quickly instead of hanging.
   */
  connection: RedisConnection | RedisClient;
  /**
   * Prefix of every key: the links of `key` are the hash `<prefix>:<key>`, and the reverse index
   * of `provider` (id → key, for `findKey`) the hash `<prefix>-by-id:<provider>`. Default
   * `contact-sync:links`.
   */
  prefix?: string;
  /**
   * Called once per outage of a connection the store opened (Redis restarted or unreachable),
   * not once per failed call: those reject as usual. Default: nothing is printed.
   */
  onError?(error: Error): void;
}

/*
 * The links and their reverse index change together, in one script, so findKey never disagrees
 * with get, whoever else writes. KEYS[1] is the key's hash; ARGV = reverse-index prefix, key,
 * provider, id. A reverse entry is only removed while it still names this key.
 */
const SET = `
local reverse = ARGV[1] .. ARGV[3]
local old = redis.call('HGET', KEYS[1], ARGV[3])
if old and old ~= ARGV[4] and redis.call('HGET', reverse, old) == ARGV[2] then
  redis.call('HDEL', reverse, old)
end
redis.call('HSET', KEYS[1], ARGV[3], ARGV[4])
redis.call('HSET', reverse, ARGV[4], ARGV[2])
return 1
`;

/** ARGV = reverse-index prefix, key, then the providers to forget (none: every one). */
const DELETE = `
local providers = {}
if #ARGV > 2 then
  for i = 3, #ARGV do providers[#providers + 1] = ARGV[i] end
else
  providers = redis.call('HKEYS', KEYS[1])
end
for _, provider in ipairs(providers) do
  local id = redis.call('HGET', KEYS[1], provider)
  if id then
    local reverse = ARGV[1] .. provider
    if redis.call('HGET', reverse, id) == ARGV[2] then redis.call('HDEL', reverse, id) end
    redis.call('HDEL', KEYS[1], provider)
  end
end
return 1
`;

/**
 * Links in Redis, shared by several processes or machines: one hash per key
 * (`HSET <prefix>:<key> <provider> <id>`), and one reverse hash per provider (id → key) kept in
 * the same atomic step, so `findKey` is one `HGET`. Needs the optional peer dependency `ioredis`.
 */
export function redisLinkStore(options: RedisLinkStoreOptions): LinkStore {
  return openLinkStore(options);
}

/** `redisLinkStore` whose outages are told to `shared` (a worker's one reporter) instead. */
export function openLinkStore(
  options: RedisLinkStoreOptions,
  shared?: RedisErrorReporter,
): LinkStore {
  const { connection, prefix = 'contact-sync:links', onError } = checkOptions(options);
  const owned = !isClient(connection);
  const reporter = owned ? (shared ?? createRedisErrorReporter(connection, onError)) : undefined;
  let client: Promise<RedisClient> | undefined;
  const redis = () => {
    if (!client) {
      const opening = isClient(connection)
        ? Promise.resolve(connection)
        : openRedis(connection, reporter ? { reporter } : {});
      client = opening;
      // A failed connect is retried by the next call, not remembered.
      opening.catch(() => {
        if (client === opening) client = undefined;
      });
    }
    return client;
  };
  const hashOf = (key: string) => `${prefix}:${key}`;
  const reversePrefix = `${prefix}-by-id:`;

  return {
    async get(key) {
      const links = await (await redis()).hgetall(hashOf(key));
      return Object.keys(links).length ? { ...links } : undefined;
    },
    async set(key, provider, id) {
      await (await redis()).eval(SET, 1, hashOf(key), reversePrefix, key, provider, id);
    },
    async delete(key, provider) {
      const providers = provider === undefined ? [] : [provider];
      await (await redis()).eval(DELETE, 1, hashOf(key), reversePrefix, key, ...providers);
    },
    async findKey(provider: string, id: string) {
      const key = await (await redis()).hget(`${reversePrefix}${provider}`, id);
      return key ?? undefined;
    },
    async close() {
      if (!client || !owned) return;
      const connected = await client.catch(() => undefined);
      client = undefined;
      await connected?.quit().catch(() => undefined);
    },
  } as LinkStore;
}

function checkOptions(options: RedisLinkStoreOptions): RedisLinkStoreOptions {
  if (typeof options !== 'object' || options === null) {
    throw invalidConfig([{ path: 'options', message: 'expected an object with connection' }]);
  }
  const { connection, prefix, onError } = options;
  const issues: ValidationIssue[] = Object.keys(options)
    .filter((name) => !['connection', 'prefix', 'onError'].includes(name))
    .map((name) => ({ path: name, message: 'unknown option' }));
  if (!isClient(connection)) {
    const issue =
      connection === undefined || connection === ''
        ? {
            path: 'connection',
            message: 'expected a Redis URL, ioredis options or an ioredis client',
          }
        : redisConnectionIssue(connection);
    if (issue) issues.push(issue);
  }
  if (prefix !== undefined && (typeof prefix !== 'string' || prefix === '')) {
    issues.push({ path: 'prefix', message: 'expected a non-empty string' });
  }
  if (onError !== undefined && typeof onError !== 'function') {
    issues.push({ path: 'onError', message: 'expected a function' });
  }
  if (issues.length) throw invalidConfig(issues);
  return options;
}

function isClient(connection: RedisLinkStoreOptions['connection']): connection is RedisClient {
  return (
    typeof connection === 'object' &&
    connection !== null &&
    typeof (connection as RedisClient).hgetall === 'function'
  );
}
