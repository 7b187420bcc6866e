import type { Redis } from 'ioredis';
import type { SyncRecord } from '../src/sync/index.js';

/*
 * One job per key at a time, the newest record winning (design §10), across every producer and
 * worker:
 *
 * - Each record gets a sequence number from one Redis counter when it is enqueued, and is kept as
 *   the key's newest record (`…:newest:<key>`, JSON `{ seq, contact }`) unless a newer one is
 *   there already.
 * - Its job carries BullMQ deduplication `{ id: key, keepLastIfActive: true }`: while a job of
 *   the key waits or is delayed, no second one is added (the waiting one will read the newest
 *   record when it runs); while one is active, one more is kept to run after it. So two jobs of
 *   a key never run at once.
 * - A job pushes the key's newest record, and when it succeeds it marks that sequence applied
 *   (`…:applied`, key → seq) and forgets the newest record if no newer one came meanwhile. A job
 *   whose sequence is already applied (a record retried after a newer one succeeded) writes
 *   nothing.
 */

/** The keys of one queue's per-key order, under BullMQ's own prefix for that queue. */
export interface OrderKeys {
  counter: string;
  newest: (key: string) => string;
  applied: string;
}

export function orderKeys(prefix: string, name: string): OrderKeys {
  const base = `${prefix}:${name}:order`;
  return {
    counter: `${base}:seq`,
    newest: (key) => `${base}:newest:${key}`,
    applied: `${base}:applied`,
  };
}

/** The job data of a push: the record, its sequence, and the vendors already done for it. */
export interface PushJobData extends SyncRecord {
  /** Order of the record among all the queue's records (absent on jobs of older versions). */
  seq?: number;
  /** Vendors that succeeded in an earlier try of this sequence: not pushed again. */
  done?: { seq: number; results: Record<string, { status: string; id?: string }> };
  /** Times this job waited for an open circuit breaker (no try spent): the wait grows. */
  waits?: number;
}

/** KEYS: newest-record key. ARGV: seq, JSON, ttl ms. Keeps the record unless a newer one is kept. */
const KEEP_NEWEST = `
local current = redis.call('GET', KEYS[1])
if current then
  local seq = tonumber(string.match(current, '^{"seq":(%d+)'))
  if seq and seq >= tonumber(ARGV[1]) then return 0 end
end
redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3])
return 1
`;

/** KEYS: newest-record key, applied hash. ARGV: key. Returns { newest JSON, applied seq }. */
const READ = `
return { redis.call('GET', KEYS[1]) or false, redis.call('HGET', KEYS[2], ARGV[1]) or false }
`;

/** KEYS: newest-record key, applied hash. ARGV: key, seq. */
const APPLIED = `
local applied = tonumber(redis.call('HGET', KEYS[2], ARGV[1]) or '0')
if tonumber(ARGV[2]) > applied then redis.call('HSET', KEYS[2], ARGV[1], ARGV[2]) end
local current = redis.call('GET', KEYS[1])
if current then
  local seq = tonumber(string.match(current, '^{"seq":(%d+)'))
  if seq and seq <= tonumber(ARGV[2]) then redis.call('DEL', KEYS[1]) end
end
return 1
`;

/**
 * Numbers a batch of records and keeps each as its key's newest: two round trips per batch (the
 * counter, then one pipelined script call per record).
 */
export async function keepNewest(
  client: Redis,
  keys: OrderKeys,
  records: readonly SyncRecord[],
  ttlMs: number,
): Promise<number[]> {
  const last = await client.incrby(keys.counter, records.length);
  const first = last - records.length + 1;
  const pipeline = client.pipeline();
  records.forEach((record, index) => {
    const seq = first + index;
    pipeline.eval(
      KEEP_NEWEST,
      1,
      keys.newest(record.key),
      seq,
      JSON.stringify({ seq, contact: record.contact }),
      ttlMs,
    );
  });
  const results = await pipeline.exec();
  const failed = results?.find(([error]) => error);
  if (failed?.[0]) throw failed[0];
  return records.map((_, index) => first + index);
}

/** The key's newest record (if newer than `seq`) and the last sequence applied, in one trip. */
export async function readOrder(
  client: Redis,
  keys: OrderKeys,
  key: string,
): Promise<{ newest?: { seq: number; contact: SyncRecord['contact'] }; applied: number }> {
  const [newest, applied] = (await client.eval(READ, 2, keys.newest(key), keys.applied, key)) as [
    string | null,
    string | null,
  ];
  return {
    ...(newest ? { newest: JSON.parse(newest) } : {}),
    applied: applied ? Number(applied) : 0,
  };
}

/** Marks `seq` applied for `key`, forgetting the newest record unless a newer one came. */
export async function markApplied(
  client: Redis,
  keys: OrderKeys,
  key: string,
  seq: number,
): Promise<void> {
  await client.eval(APPLIED, 2, keys.newest(key), keys.applied, key, seq);
}
