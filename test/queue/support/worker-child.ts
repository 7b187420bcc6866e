/**
 * Child process of the scale-out test: one sync worker. Env: REDIS_URL, QUEUE_NAME, STORES (JSON
 * store configs), CONCURRENCY, LOCK_MS, MARGIN_MS, SENT_LOG (a file for request starts),
 * REPORT_EVERY. Prints `ready` once taking jobs, then one `done <n>` line per REPORT_EVERY jobs
 * (default 100); on SIGTERM closes gracefully and exits 0.
 */
import { openSync, writeSync } from 'node:fs';
import type { ContactStoreConfig } from '../../../providers/registry.js';
import { createSyncWorker } from '../../../queue/index.js';

// Every request start, as `<provider> <epoch ms>` lines: written synchronously, so a SIGKILL
// loses none of those already sent.
const sentLog = process.env.SENT_LOG ? openSync(process.env.SENT_LOG, 'a') : undefined;
const hooks = {
  onRequest: (event: { provider: string }) => {
    if (sentLog !== undefined) writeSync(sentLog, `${event.provider} ${Date.now()}\n`);
  },
};

const connection = process.env.REDIS_URL ?? '';
let done = 0;
const reportEvery = Number(process.env.REPORT_EVERY ?? 100);
const worker = createSyncWorker({
  connection,
  name: process.env.QUEUE_NAME ?? '',
  stores: (JSON.parse(process.env.STORES ?? '[]') as ContactStoreConfig[]).map((store) => ({
    ...store,
    hooks,
  })),
  concurrency: Number(process.env.CONCURRENCY ?? 8),
  lockDurationMs: Number(process.env.LOCK_MS ?? 30_000),
  limiterMarginMs: Number(process.env.MARGIN_MS ?? 100),
  onReport: () => {
    done += 1;
    if (done % reportEvery === 0) process.stdout.write(`done ${done}\n`);
  },
  onError: (error) => process.stderr.write(`worker error: ${error.message}\n`),
});
await worker.ready();
process.stdout.write('ready\n');
process.once('SIGTERM', () => {
  worker.close().then(() => process.exit(0));
});
