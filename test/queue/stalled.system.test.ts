import { type ChildProcess, spawn } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSyncQueue, createSyncWorker } from '../../queue/index.js';
import { type Sandbox, startSandbox } from '../../sandbox/index.js';
import { bundleForChild } from '../support/child-process.js';
import { type RedisServer, startRedisServer } from '../sync/support/redis-server.js';
import { waitFor } from './support/wait-for.js';

let redis: RedisServer;
let sandbox: Sandbox;
let childScript: string;
let child: ChildProcess | undefined;

beforeAll(async () => {
  childScript = await bundleForChild(
    new URL('./support/worker-child.ts', import.meta.url),
    'stalled-worker-child',
  );
  [redis, sandbox] = await Promise.all([startRedisServer(), startSandbox()]);
});
afterAll(async () => {
  if (child && child.exitCode === null) child.kill('SIGKILL');
  await sandbox?.close();
  await redis?.stop();
});

describe('a worker killed with a job in flight', () => {
  it('its job is taken back by another worker within about 14 s (lock 10 s, checks every 4 s)', async () => {
    const name = 'stalled';
    const queue = createSyncQueue({ connection: redis.url, name, onWarning: () => undefined });
    // The vendors hold every answer: the job is in flight when its worker dies.
    sandbox.setFaults({ rate: 1, kinds: ['slow'], slowMs: 120_000 });
    child = spawn(process.execPath, [childScript], {
      env: {
        ...process.env,
        REDIS_URL: redis.url,
        QUEUE_NAME: name,
        STORES: JSON.stringify(sandbox.storeConfigs()),
        CONCURRENCY: '1',
        LOCK_MS: '10000',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    await waitFor(() => output.includes('ready'), 'the worker child', 30_000);
    await queue.enqueue([{ key: 'stalled-1', contact: { phone: '+33612347701' } }]);
    await waitFor(async () => (await queue.counts()).active === 1, 'the job to be taken');
    child.kill('SIGKILL');
    sandbox.setFaults({ rate: 0 });
    const killedAt = Date.now();
    const rescuer = createSyncWorker({
      connection: redis.url,
      name,
      stores: sandbox.storeConfigs(),
      onWarning: () => undefined,
    });
    try {
      await rescuer.ready();
      // The bound is the goal (lock 10 s + one stalled check of 4 s) with room for a busy machine.
      await waitFor(
        async () => (await queue.counts()).completed === 1,
        'the job to come back and complete',
        25_000,
      );
      process.stdout.write(
        `stalled job back and done ${Date.now() - killedAt} ms after the kill\n`,
      );
      expect(await queue.counts()).toMatchObject({ failed: 0, active: 0, waiting: 0 });
      for (const vendor of ['smspartner', 'callbell', 'notificore'] as const) {
        expect(sandbox.emulators[vendor].contacts()).toHaveLength(1);
      }
    } finally {
      await rescuer.close();
      await queue.close();
    }
  });
});
