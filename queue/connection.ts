import type { Redis, RedisOptions } from 'ioredis';
import { ContactSyncError, type ValidationIssue } from '../src/errors.js';

/**
 * Where the queue lives: a Redis URL (`redis://user:pass@host:6379/0`), or ioredis / BullMQ
 * connection options (`{ host, port, password, tls, … }`, or `{ url, … }`).
 */
export type QueueConnection = string | (RedisOptions & { url?: string });

/** The `invalid_config` issue of a `connection` option, if any. */
export function connectionIssue(
  connection: unknown,
  path = 'connection',
): ValidationIssue | undefined {
  if (typeof connection === 'string' && /^rediss?:\/\/\S+$/i.test(connection.trim())) {
    return undefined;
  }
  if (typeof connection === 'object' && connection !== null && !Array.isArray(connection)) {
    const { url } = connection as { url?: unknown };
    if (url === undefined || (typeof url === 'string' && /^rediss?:\/\/\S+$/i.test(url))) {
      return undefined;
    }
  }
  return {
    path,
    message: 'expected a Redis URL (redis:// or rediss://) or ioredis connection options',
  };
}

type RedisClass = typeof import('ioredis').Redis;
let redisClass: Promise<RedisClass> | undefined;

/** Loads ioredis, an optional peer dependency, once. */
function loadRedis(): Promise<RedisClass> {
  redisClass ??= import('ioredis').then(
    // The CommonJS build exposes the class both as `Redis` and as the default export.
    (module) => module.Redis ?? (module as unknown as { default: RedisClass }).default,
    (error) => {
      redisClass = undefined;
      throw new ContactSyncError({
        code: 'invalid_config',
        message:
          '[contact-sync] contact-sync/queue needs the ioredis and bullmq packages: npm install ioredis bullmq',
        cause: error,
      });
    },
  );
  return redisClass;
}

/**
 * Opens one ioredis client. BullMQ cannot load ioredis by itself from an ES module, so every
 * client it uses is made here. `extra` wins over the user's options (BullMQ's workers need
 * `maxRetriesPerRequest: null`).
 */
export async function openRedis(
  connection: QueueConnection,
  extra: RedisOptions = {},
): Promise<Redis> {
  const Redis = await loadRedis();
  if (typeof connection === 'string') return new Redis(connection, extra);
  const { url, ...options } = connection;
  return url ? new Redis(url, { ...options, ...extra }) : new Redis({ ...options, ...extra });
}
