import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import { invalidConfig, type ValidationIssue } from '../errors.js';
import type { LinkState, LinkStore } from '../sync/link-store.js';
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
   * Prefix of every key: the links of `key` are the hash `<prefix>:<key>`, the reverse index of
   * `provider` (id → key, for `findKey`) the hash `<prefix>-by-id:<provider>`, and the sync state
   * (fingerprints, the key set, mirror marks, tombstones) keys `<prefix>-…`. Default
   * `contact-sync:links`; a prefix per account keeps accounts apart.
   */
  prefix?: string;
  /**
   * Called once per outage of a connection the store opened (Redis restarted or unreachable),
   * not once per failed call: those reject as usual. Default: nothing is printed.
   */
  onError?(error: Error): void;
}

/*
 * Layout (every Redis key starts with the prefix; a CRM key only ever follows `<prefix>:`, the
 * store's own keys follow `<prefix>-…`, so neither can be mistaken for the other):
 *   <prefix>:<key>               hash  provider → contact id (the layout before sync state)
 *   <prefix>-by-id:<provider>    hash  id → key (findKey)
 *   <prefix>-state:<key>         hash  provider → JSON { f: fingerprint, v: verifiedAt }
 *   <prefix>-keys                set   every linked key (keys, unseen)
 *   <prefix>-keys-indexed        "1" once the links written before the key set are in it
 *   <prefix>-run:<run>           set   keys a mirror run saw (expires after 7 days)
 *   <prefix>-tombstones          set   keyed hashes of erased keys and phones
 *   <prefix>-secret              the secret keying those hashes
 * A hash of the old layout has no state: its links read as `{ id }` and are verified once.
 * Every command goes through EVAL, so any client with `eval` (and hgetall, hget) will do.
 */

/**
 * The link, its state, its reverse entry and the key set change together, in one script, so
 * findKey never disagrees with get, whoever else writes. KEYS = the key's hash, its state hash,
 * the key set; ARGV = reverse-index prefix, key, provider, id, state JSON ('' for none). A
 * reverse entry is only removed while it still names this key.
 */
const SET = `
local reverse = ARGV[1] .. ARGV[3]
local old = redis.call('HGET', KEYS[1], ARGV[3])
if old and old ~= ARGV[4] and redis.call('HGET', reverse, old) == ARGV[2] then
  redis.call('HDEL', reverse, old)
end
redis.call('HSET', KEYS[1], ARGV[3], ARGV[4])
redis.call('HSET', reverse, ARGV[4], ARGV[2])
if ARGV[5] == '' then
  redis.call('HDEL', KEYS[2], ARGV[3])
else
  redis.call('HSET', KEYS[2], ARGV[3], ARGV[5])
end
redis.call('SADD', KEYS[3], ARGV[2])
return 1
`;

/** KEYS as SET; ARGV = reverse-index prefix, key, then the providers to forget (none: all). */
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
  redis.call('HDEL', KEYS[2], provider)
end
if redis.call('EXISTS', KEYS[1]) == 0 then
  redis.call('DEL', KEYS[2])
  redis.call('SREM', KEYS[3], ARGV[2])
end
return 1
`;

/** KEYS = the key's hash and state hash: both, flat. */
const GET_STATE = `return { redis.call('HGETALL', KEYS[1]), redis.call('HGETALL', KEYS[2]) }`;

/**
 * KEYS = the key set, the run's set (or the key set again for `keys`); ARGV = cursor, count,
 * key prefix. One SSCAN page of the linked keys the run set lacks (still linked).
 */
const SCAN_KEYS = `
local page = redis.call('SSCAN', KEYS[1], ARGV[1], 'COUNT', ARGV[2])
local out = {}
for _, key in ipairs(page[2]) do
  if (KEYS[2] == KEYS[1] or redis.call('SISMEMBER', KEYS[2], key) == 0)
    and redis.call('EXISTS', ARGV[3] .. key) == 1 then
    out[#out + 1] = key
  end
end
return { page[1], out }
`;

/**
 * Puts the links written before the key set into it: one SCAN page of hashes under
 * `<prefix>:`, each taken only when its reverse entry names it (so the hashes of another
 * store whose prefix starts with this one's are left out). KEYS = the key set;
 * ARGV = cursor, pattern, key prefix, reverse-index prefix.
 */
const BACKFILL = `
local page = redis.call('SCAN', ARGV[1], 'MATCH', ARGV[2], 'COUNT', 500, 'TYPE', 'hash')
for _, name in ipairs(page[2]) do
  local key = string.sub(name, #ARGV[3] + 1)
  local fields = redis.call('HGETALL', name)
  if #fields >= 2 and redis.call('HGET', ARGV[4] .. fields[1], fields[2]) == key then
    redis.call('SADD', KEYS[1], key)
  end
end
return page[1]
`;

/** KEYS = the run's set; ARGV = ttl seconds, keys… */
const MARK = `
for i = 2, #ARGV do redis.call('SADD', KEYS[1], ARGV[i]) end
redis.call('EXPIRE', KEYS[1], ARGV[1])
return 1
`;

/** KEYS = the tombstone set; ARGV = hashes. 1 when any is there. */
const ANY_MEMBER = `
for _, hash in ipairs(ARGV) do
  if redis.call('SISMEMBER', KEYS[1], hash) == 1 then return 1 end
end
return 0
`;

/** KEYS = the secret's key; ARGV = a new secret, kept only when there is none yet. */
const SECRET = `
redis.call('SET', KEYS[1], ARGV[1], 'NX')
return redis.call('GET', KEYS[1])
`;

/** Mirror marks outlive a crashed run by this long, then Redis drops them. */
const RUN_TTL_SECONDS = 7 * 24 * 3600;
const SCAN_COUNT = 500;

/**
 * Links in Redis, shared by several processes or machines: one hash per key
 * (`HSET <prefix>:<key> <provider> <id>`), and one reverse hash per provider (id → key) kept in
 * the same atomic step, so `findKey` is one `HGET`. Keeps the whole sync state (design §13):
 * fingerprints and `verifiedAt`, the key set, mirror marks, tombstones and their secret, every
 * Redis key under the prefix (so a per-account prefix isolates accounts). Hashes written by an
 * older version stay readable. Needs the optional peer dependency `ioredis`.
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
  const stateOf = (key: string) => `${prefix}-state:${key}`;
  const reversePrefix = `${prefix}-by-id:`;
  const keySet = `${prefix}-keys`;
  const runOf = (run: string) => `${prefix}-run:${run}`;
  const tombstones = `${prefix}-tombstones`;
  const run = async (script: string, keys: string[], args: (string | number)[]) =>
    (await redis()).eval(script, keys.length, ...keys, ...args);

  let indexed: Promise<void> | undefined;
  /** The links of the old layout into the key set, once per store (and once per Redis). */
  const backfill = () => {
    indexed ??= (async () => {
      const client = await redis();
      const marker = `${prefix}-keys-indexed`;
      if ((await client.eval(`return redis.call('GET', KEYS[1])`, 1, marker)) === '1') return;
      const pattern = `${globEscape(prefix)}:*`;
      let cursor = '0';
      do {
        cursor = String(
          await client.eval(BACKFILL, 1, keySet, cursor, pattern, `${prefix}:`, reversePrefix),
        );
      } while (cursor !== '0');
      await client.eval(`return redis.call('SET', KEYS[1], '1')`, 1, marker);
    })().catch((error) => {
      indexed = undefined;
      throw error;
    });
    return indexed;
  };

  async function* scan(other: string, signal?: AbortSignal): AsyncGenerator<string> {
    await backfill();
    let cursor = '0';
    do {
      signal?.throwIfAborted();
      const [next, keys] = (await run(
        SCAN_KEYS,
        [keySet, other],
        [cursor, SCAN_COUNT, `${prefix}:`],
      )) as [string, string[]];
      cursor = String(next);
      yield* keys;
    } while (cursor !== '0');
  }

  const setState = async (key: string, provider: string, state: LinkState) => {
    const kept: { f?: string; v?: string } = {};
    if (state.fingerprint !== undefined) kept.f = state.fingerprint;
    if (state.verifiedAt !== undefined) kept.v = state.verifiedAt;
    const json = kept.f === undefined && kept.v === undefined ? '' : JSON.stringify(kept);
    await run(
      SET,
      [hashOf(key), stateOf(key), keySet],
      [reversePrefix, key, provider, state.id, json],
    );
  };

  return {
    async get(key) {
      const links = await (await redis()).hgetall(hashOf(key));
      return Object.keys(links).length ? { ...links } : undefined;
    },
    async set(key, provider, id) {
      await setState(key, provider, { id });
    },
    async getState(key) {
      const [links, states] = (await run(GET_STATE, [hashOf(key), stateOf(key)], [])) as [
        string[],
        string[],
      ];
      if (!links.length) return undefined;
      const kept = new Map<string, string>();
      for (let i = 0; i < states.length; i += 2)
        kept.set(states[i] as string, states[i + 1] as string);
      const result: Record<string, LinkState> = {};
      for (let i = 0; i < links.length; i += 2) {
        const provider = links[i] as string;
        result[provider] = { id: links[i + 1] as string, ...stateFields(kept.get(provider)) };
      }
      return result;
    },
    setState,
    async delete(key, provider) {
      const providers = provider === undefined ? [] : [provider];
      await run(DELETE, [hashOf(key), stateOf(key), keySet], [reversePrefix, key, ...providers]);
    },
    async findKey(provider: string, id: string) {
      const key = await (await redis()).hget(`${reversePrefix}${provider}`, id);
      return key ?? undefined;
    },
    keys: (callOptions) => scan(keySet, callOptions?.signal),
    async markSeen(runId, keys) {
      for (let i = 0; i < keys.length; i += SCAN_COUNT) {
        await run(MARK, [runOf(runId)], [RUN_TTL_SECONDS, ...keys.slice(i, i + SCAN_COUNT)]);
      }
    },
    unseen: (runId, callOptions) => scan(runOf(runId), callOptions?.signal),
    async endRun(runId) {
      await run(`return redis.call('DEL', KEYS[1])`, [runOf(runId)], []);
    },
    async tombstone(hash) {
      await run(`return redis.call('SADD', KEYS[1], ARGV[1])`, [tombstones], [hash]);
    },
    async untombstone(hash) {
      await run(`return redis.call('SREM', KEYS[1], ARGV[1])`, [tombstones], [hash]);
    },
    async isErased(hashes) {
      if (!hashes.length) return false;
      return (await run(ANY_MEMBER, [tombstones], [...hashes])) === 1;
    },
    async tombstoneSecret() {
      const fresh = randomBytes(32).toString('base64url');
      return String(await run(SECRET, [`${prefix}-secret`], [fresh]));
    },
    async close() {
      if (!client || !owned) return;
      const connected = await client.catch(() => undefined);
      client = undefined;
      await connected?.quit().catch(() => undefined);
    },
  } as LinkStore;
}

/** The fingerprint and verifiedAt of a state entry; nothing from an entry that is not ours. */
function stateFields(json: string | undefined): Omit<LinkState, 'id'> {
  if (json === undefined) return {};
  try {
    const parsed = JSON.parse(json) as { f?: unknown; v?: unknown };
    const fields: Omit<LinkState, 'id'> = {};
    if (typeof parsed.f === 'string') fields.fingerprint = parsed.f;
    if (typeof parsed.v === 'string') fields.verifiedAt = parsed.v;
    return fields;
  } catch {
    return {};
  }
}

/** `value` with Redis glob characters escaped, for a SCAN MATCH pattern. */
function globEscape(value: string): string {
  return value.replace(/[*?[\\\]^]/g, '\\$&');
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
