import type { Redis } from 'ioredis';
import { abortError, sleep } from '../src/abort.js';
import { invalidConfig, type ValidationIssue } from '../src/errors.js';
import type { RateLimiter } from '../src/rate-limit.js';
import {
  connectionIssue,
  createRedisErrorReporter,
  openRedis,
  type QueueConnection,
  type RedisErrorReporter,
} from './connection.js';

/** Options of {@link redisRateLimiter}. */
export interface RedisRateLimiterOptions {
  /**
   * A Redis URL, ioredis options, or an ioredis client you own (shared, never closed by the
   * limiter). Required.
   */
  connection: QueueConnection | Redis;
  /**
   * Names the limit: every limiter with the same key, in any process, shares it (one per vendor
   * account). Required. The limiter uses `<key>`, `<key>:paused` and `<key>:clock`.
   */
  key: string;
  /**
   * Most request starts in any window of one second, counted over every process together. For a
   * rate under 1, one start per `1000 / rate` ms. Omitted: no rate, only the shared pauses.
   */
  requestsPerSecond?: number;
  /**
   * Extra milliseconds each start keeps its place in the window. A request reaches the vendor a
   * little after it starts (network, a busy event loop) and vendors count arrivals, so without
   * this margin a late request and an early one can land in the same vendor second. Costs
   * `margin / (1000 + margin)` of the throughput. Default 100.
   */
  marginMs?: number;
  /**
   * Called once per outage of a connection the limiter opened (Redis restarted or unreachable).
   * Meanwhile `acquire` rejects (nothing is sent). Default: nothing is printed.
   */
  onError?(error: Error): void;
}

/** A `RateLimiter` shared through Redis. */
export interface RedisRateLimiter extends RateLimiter {
  /** Quits the connection, if the limiter opened it. */
  close(): Promise<void>;
}

type LimiterClient = Redis & {
  contactSyncReserve(
    zset: string,
    pause: string,
    clock: string,
    limit: number,
    windowMs: number,
    member: string,
    mode: 0 | 1 | 2,
    aheadMs: number,
  ): Promise<number>;
  contactSyncPause(pause: string, clock: string, forMs: number): Promise<number>;
};

/*
 * Reserves the earliest start that keeps every window of `windowMs` at `limit` starts or fewer,
 * in one atomic step on the Redis clock (one clock for every process). Starts are reserved in
 * order, so the only constraint on a new one is the start `limit` places before it. A caller
 * sleeps until its reserved start and goes: one round trip per request, no polling.
 *
 * Modes (ARGV[4]): 0 reserves; 1 confirms after a sleep (a pause set meanwhile moves the
 * reservation past it); 2 moves a reservation the caller could not keep (it woke up too late)
 * to a new place at least ARGV[5] ms from now.
 *
 * The clock is Redis's TIME plus an offset kept in KEYS[3] that never lets it go back (a
 * failover to a Redis whose clock is behind would otherwise hold every caller that long). When
 * KEYS[3] is missing, the limiter's state is new or was lost (Redis restarted without
 * persistence): requests may have started in the last window that it no longer sees, so the
 * first start is one window away. Waiting, never bursting.
 */
const RESERVE = `
local zset, pauseKey, clockKey = KEYS[1], KEYS[2], KEYS[3]
local limit, windowMs, member = tonumber(ARGV[1]), tonumber(ARGV[2]), ARGV[3]
local mode, ahead = ARGV[4], tonumber(ARGV[5] or '0')
local clock = redis.call('TIME')
local raw = tonumber(clock[1]) * 1000 + math.floor(tonumber(clock[2]) / 1000)
local state = redis.call('HMGET', clockKey, 'last', 'offset')
local fresh = state[1] == false
local last, offset = tonumber(state[1] or '0'), tonumber(state[2] or '0')
local now = raw + offset
if now < last then
  offset = offset + (last - now)
  now = last
end
redis.call('HSET', clockKey, 'last', now, 'offset', offset)
redis.call('PEXPIRE', clockKey, 3600000)
local pausedUntil = tonumber(redis.call('GET', pauseKey) or '0')
if mode == '1' then
  if pausedUntil <= now then return 0 end
  redis.call('ZREM', zset, member)
elseif mode == '2' then
  redis.call('ZREM', zset, member)
end
local start = math.max(now + ahead, pausedUntil)
if fresh and limit > 0 then start = math.max(start, now + windowMs) end
if limit > 0 then
  redis.call('ZREMRANGEBYSCORE', zset, '-inf', now - windowMs)
  local lastStart = redis.call('ZRANGE', zset, -1, -1, 'WITHSCORES')
  if lastStart[2] then start = math.max(start, tonumber(lastStart[2])) end
  if redis.call('ZCARD', zset) >= limit then
    local nth = redis.call('ZRANGE', zset, -limit, -limit, 'WITHSCORES')
    start = math.max(start, tonumber(nth[2]) + windowMs)
  end
  redis.call('ZADD', zset, start, member)
  redis.call('PEXPIRE', zset, start - now + windowMs + 1000)
end
return start - now
`;

/**
 * Holds every limiter of the key until now + ARGV[1] ms (never shortens a longer pause), on the
 * limiter's clock (KEYS[2]: Redis TIME plus its offset).
 */
const PAUSE = `
local clock = redis.call('TIME')
local offset = tonumber(redis.call('HGET', KEYS[2], 'offset') or '0')
local now = tonumber(clock[1]) * 1000 + math.floor(tonumber(clock[2]) / 1000) + offset
local untilMs = now + tonumber(ARGV[1])
if untilMs > tonumber(redis.call('GET', KEYS[1]) or '0') then
  redis.call('SET', KEYS[1], untilMs, 'PX', math.max(1, untilMs - now))
end
return untilMs
`;

let instances = 0;
/** Most times one request is placed again for being late, before it goes anyway. */
const MAX_MOVES = 5;

/**
 * A rate limit shared by every process that uses the same Redis key: at most `requestsPerSecond`
 * request starts in any one-second window across all of them, and a vendor's `Retry-After`
 * seen by one pauses them all. Give it to a store as its `limiter` option.
 */
export function redisRateLimiter(options: RedisRateLimiterOptions): RedisRateLimiter {
  return openRateLimiter(options);
}

/** `redisRateLimiter` whose outages are told to `shared` (a worker's one reporter) instead. */
export function openRateLimiter(
  options: RedisRateLimiterOptions,
  shared?: RedisErrorReporter,
): RedisRateLimiter {
  const { connection, key, requestsPerSecond, marginMs = 100, onError } = checkOptions(options);
  const limit = requestsPerSecond ? Math.max(1, Math.floor(requestsPerSecond)) : 0;
  const windowMs = requestsPerSecond ? Math.ceil((limit * 1000) / requestsPerSecond) + marginMs : 0;
  const pauseKey = `${key}:paused`;
  const clockKey = `${key}:clock`;
  const owned = !isClient(connection);
  const instance = `${process.pid}.${++instances}.${Math.random().toString(36).slice(2, 8)}`;
  let reservations = 0;
  let localPauseUntil = 0;
  let client: Promise<LimiterClient> | undefined;

  const reporter = owned ? (shared ?? createRedisErrorReporter(connection, onError)) : undefined;

  const redis = () => {
    if (!client) {
      const opening = (
        isClient(connection)
          ? Promise.resolve(connection)
          : openRedis(connection, reporter ? { reporter } : {})
      ).then(defineCommands);
      client = opening;
      // A failed connect is retried by the next acquire, not remembered.
      opening.catch(() => {
        if (client === opening) client = undefined;
      });
    }
    return client;
  };

  return {
    async acquire(signal) {
      if (signal?.aborted) throw abortError(signal);
      // A pause this process already knows of needs no round trip to be honoured.
      if (localPauseUntil > Date.now()) await sleep(localPauseUntil - Date.now(), signal);
      const connected = await redis();
      const member = `${instance}.${++reservations}`;
      let mode: 0 | 1 | 2 = 0;
      let aheadMs = 0;
      // Local, monotonic: when the reservation was asked for, and how long to wait from then.
      let asked = performance.now();
      let wait = 0;
      for (let moves = 0; ; ) {
        const calledAt = performance.now();
        const answer = await connected.contactSyncReserve(
          key,
          pauseKey,
          clockKey,
          limit,
          windowMs,
          member,
          mode,
          aheadMs,
        );
        if (mode !== 1 || answer > 0) {
          // A new place: Redis placed it `answer` ms after a moment no earlier than `calledAt`.
          asked = calledAt;
          wait = answer;
        }
        if (answer > 0) {
          try {
            await sleep(answer, signal);
          } catch (error) {
            // Give the place back: removing a start only loosens the windows around it.
            connected.zrem(key, member).catch(() => undefined);
            throw error;
          }
          mode = 1;
          continue;
        }
        // The vendor counts arrivals: a start later than its place by more than the margin could
        // share a vendor second with the starts placed after it. Half the margin is kept for the
        // way from here to the vendor (building the request, the network, the vendor's own
        // queue); a start later than the other half is placed again, as far ahead as this
        // process has just proved to lag, instead of going out late.
        const late = performance.now() - (asked + Math.max(0, wait));
        if (limit === 0 || late <= marginMs / 2 || moves >= MAX_MOVES) return;
        moves += 1;
        mode = 2;
        aheadMs = Math.ceil(late);
      }
    },
    pauseUntil(until) {
      localPauseUntil = Math.max(localPauseUntil, until);
      const forMs = Math.ceil(until - Date.now());
      if (forMs <= 0) return;
      // The interface is synchronous; a lost pause only costs the other processes a 429 each.
      redis()
        .then((connected) => connected.contactSyncPause(pauseKey, clockKey, forMs))
        .catch(() => undefined);
    },
    async close() {
      if (!client || !owned) return;
      const connected = await client.catch(() => undefined);
      client = undefined;
      await connected?.quit().catch(() => undefined);
    },
  };
}

function defineCommands(client: Redis): LimiterClient {
  const candidate = client as Partial<LimiterClient> & Redis;
  if (typeof candidate.contactSyncReserve !== 'function') {
    client.defineCommand('contactSyncReserve', { numberOfKeys: 3, lua: RESERVE });
  }
  if (typeof candidate.contactSyncPause !== 'function') {
    client.defineCommand('contactSyncPause', { numberOfKeys: 2, lua: PAUSE });
  }
  return client as LimiterClient;
}

function isClient(connection: unknown): connection is Redis {
  return (
    typeof connection === 'object' &&
    connection !== null &&
    typeof (connection as Redis).defineCommand === 'function'
  );
}

function checkOptions(options: RedisRateLimiterOptions): RedisRateLimiterOptions {
  if (typeof options !== 'object' || options === null) {
    throw invalidConfig([
      { path: 'options', message: 'expected an object with connection and key' },
    ]);
  }
  const known = new Set(['connection', 'key', 'requestsPerSecond', 'marginMs', 'onError']);
  const issues: ValidationIssue[] = Object.keys(options)
    .filter((name) => !known.has(name))
    .map((name) => ({ path: name, message: 'unknown option' }));
  const { connection, key, requestsPerSecond, marginMs } = options;
  const connectionProblem = isClient(connection) ? undefined : connectionIssue(connection);
  if (connectionProblem) issues.push(connectionProblem);
  if (typeof key !== 'string' || key.trim() === '') {
    issues.push({ path: 'key', message: 'expected a non-empty string' });
  }
  if (
    requestsPerSecond !== undefined &&
    !(
      typeof requestsPerSecond === 'number' &&
      requestsPerSecond > 0 &&
      requestsPerSecond <= 100_000
    )
  ) {
    issues.push({
      path: 'requestsPerSecond',
      message: 'expected a number above 0, at most 100000',
    });
  }
  if (
    marginMs !== undefined &&
    !(Number.isInteger(marginMs) && (marginMs as number) >= 0 && (marginMs as number) <= 60_000)
  ) {
    issues.push({ path: 'marginMs', message: 'expected a whole number of ms from 0 to 60000' });
  }
  if (options.onError !== undefined && typeof options.onError !== 'function') {
    issues.push({ path: 'onError', message: 'expected a function' });
  }
  if (issues.length) throw invalidConfig(issues);
  return options;
}
