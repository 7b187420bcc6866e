/**
 * Child process of the accounts system test: one sync worker serving many accounts. Env:
 * REDIS_URL, QUEUE_NAME, ACCOUNTS_FILE (JSON: account → store configs, read at each resolve, as
 * a secret store would be), CONCURRENCY, SENT_LOG (a file of `<account> <provider> <epoch ms>`
 * request starts). Prints `ready` once taking jobs; on SIGTERM closes gracefully and exits 0.
 */
import { openSync, readFileSync, writeSync } from 'node:fs';
import type { ContactStoreConfig } from '../../../providers/registry.js';
import { createSyncWorker } from '../../../queue/index.js';

const sentLog = process.env.SENT_LOG ? openSync(process.env.SENT_LOG, 'a') : undefined;
const worker = createSyncWorker({
  connection: process.env.REDIS_URL ?? '',
  name: process.env.QUEUE_NAME ?? '',
  concurrency: Number(process.env.CONCURRENCY ?? 8),
  lockDurationMs: 30_000,
  limiterMarginMs: Number(process.env.MARGIN_MS ?? 100),
  accounts: async (account) => {
    const all = JSON.parse(readFileSync(process.env.ACCOUNTS_FILE ?? '', 'utf8')) as Record<
      string,
      ContactStoreConfig[]
    >;
    const stores = all[account];
    if (!stores) throw new Error(`no account ${account}`);
    return {
      defaultCountry: 'FR',
      stores: stores.map((store) => ({
        ...store,
        hooks: {
          onRequest: (event: { provider: string }) => {
            if (sentLog !== undefined)
              writeSync(sentLog, `${account} ${event.provider} ${Date.now()}\n`);
          },
        },
      })),
    };
  },
  onError: (error) => process.stderr.write(`worker error: ${error.message}\n`),
});
await worker.ready();
process.stdout.write('ready\n');
process.once('SIGTERM', () => {
  worker.close().then(() => process.exit(0));
});
