import type { RedisConnection } from '../src/redis/connection.js';

/**
 * Where the queue lives: a Redis URL (`redis://user:pass@host:6379/0`, `rediss://…`,
 * `unix:///path/to/redis.sock`), or ioredis / BullMQ connection options (`{ host, port,
 * password, db, tls, … }`, or `{ url, … }`).
 */
export type QueueConnection = RedisConnection;

export {
  createRedisErrorReporter,
  describeRedis,
  isRedisUnreachable,
  openRedis,
  type RedisErrorReporter,
  redisConnectionIssue as connectionIssue,
} from '../src/redis/connection.js';
