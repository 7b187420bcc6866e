import { createSyncQueue, type QueueConnection, type SyncQueue } from 'contact-sync/queue';

/** The queue's name: the producer and every worker must agree on it. */
export const QUEUE_NAME = 'crm-contacts';

/**
 * The producer side (a web app, a CRM hook, an import job): it only writes records to Redis and
 * returns; the workers push them to the vendors, retrying what fails for a while. `enqueue`
 * takes any iterable or async iterable of `{ key, contact }` and streams it in batches.
 */
export function openSyncQueue(connection: QueueConnection): SyncQueue {
  return createSyncQueue({ connection, name: QUEUE_NAME });
}
