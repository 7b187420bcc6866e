export type { RedisConnection } from './connection.js';
export {
  type RedisClient,
  type RedisLinkStoreOptions,
  redisLinkStore,
} from './redis-link-store.js';
