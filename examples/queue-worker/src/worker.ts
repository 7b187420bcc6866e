import type { ContactStoreConfig } from 'contact-sync';
import { createSyncWorker, type QueueConnection, type SyncWorker } from 'contact-sync/queue';
import { QUEUE_NAME } from './producer.js';

/**
 * One worker: run as many as you like, in as many processes or machines; they share the queue,
 * the links (in the same Redis) and each vendor's rate limit. `stores` are plain configurations
 * (a JSON file or environment variables), not built stores: the worker gives each store a rate
 * limiter held in Redis.
 */
export function startWorker(options: {
  connection: QueueConnection;
  stores: readonly ContactStoreConfig[];
  onError?(error: Error): void;
}): SyncWorker {
  return createSyncWorker({
    connection: options.connection,
    name: QUEUE_NAME,
    stores: options.stores,
    defaultCountry: 'FR',
    concurrency: 8,
    ...(options.onError ? { onError: options.onError } : {}),
  });
}

/** Stops on SIGTERM (a deploy, `docker stop`): jobs in flight finish or go back to the queue. */
export function closeOnSigterm(worker: SyncWorker): void {
  process.once('SIGTERM', () => void worker.close());
}
