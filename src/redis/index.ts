export { type RedisLinkStoreOptions, redisLinkStore } from './redis-link-store.js';
