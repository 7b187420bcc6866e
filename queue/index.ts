export type { RedisConnection } from '../src/redis/connection.js';
export type { AccountConfig, AccountResolver } from './accounts.js';
export type { QueueConnection } from './connection.js';
export { DEFAULT_QUEUE_PREFIX, type QueueIdentity } from './queue-options.js';
export {
  type RedisRateLimiter,
  type RedisRateLimiterOptions,
  redisRateLimiter,
} from './redis-rate-limiter.js';
export {
  type AccountScope,
  createSyncQueue,
  type FailedSyncJob,
  type SyncQueue,
  type SyncQueueCounts,
  type SyncQueueOptions,
} from './sync-queue.js';
export {
  createSyncWorker,
  type SyncJobInfo,
  type SyncWorker,
  type SyncWorkerCloseOptions,
  type SyncWorkerOptions,
} from './sync-worker.js';
