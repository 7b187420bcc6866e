import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { SyncRecord } from 'contact-sync';
import type { SyncQueue, SyncWorker } from 'contact-sync/queue';
import { type Sandbox, startSandbox } from 'contact-sync/sandbox';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openSyncQueue } from '../src/producer.js';
import { startWorker } from '../src/worker.js';

/** A throwaway redis-server on a Unix socket in a temporary folder: no port to pick. */
async function startRedis(dir: string): Promise<{ url: string; stop(): Promise<void> }> {
  const socket = join(dir, 'redis.sock');
  const binary = process.env.REDIS_SERVER ?? 'redis-server';
  const child: ChildProcess = spawn(
    binary,
    ['--port', '0', '--unixsocket', socket, '--dir', dir, '--appendonly', 'yes', '--save', ''],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let output = '';
  await new Promise<void>((resolve, reject) => {
    const bound = setTimeout(() => reject(new Error(`redis-server not ready: ${output}`)), 60_000);
    child.stdout?.on('data', (chunk) => {
      output += chunk;
      // "Ready to accept connections" (TCP) or "ready to accept connections at <socket>".
      if (/ready to accept connections/i.test(output)) {
        clearTimeout(bound);
        resolve();
      }
    });
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`redis-server exited (${code}): ${output}`)));
  });
  return {
    url: `unix://${socket}`,
    stop: () =>
      new Promise((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

/** Checks `condition` until it holds; a bound for a loaded machine, not a schedule. */
async function waitFor(condition: () => Promise<boolean>, what: string): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

let dir: string;
let redis: Awaited<ReturnType<typeof startRedis>>;
let sandbox: Sandbox;
let queue: SyncQueue;
let workers: SyncWorker[] = [];
const workerErrors: Error[] = [];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'contact-sync-queue-example-'));
  [redis, sandbox] = await Promise.all([startRedis(dir), startSandbox()]);
  queue = openSyncQueue(redis.url);
});
afterAll(async () => {
  await Promise.all(workers.map((worker) => worker.close()));
  await queue?.close();
  await Promise.all([redis?.stop(), sandbox?.close()]);
  if (dir) await rm(dir, { recursive: true, force: true });
});

const records: SyncRecord[] = Array.from({ length: 12 }, (_, index) => ({
  key: `crm-${2000 + index}`,
  contact: { phone: `06 12 34 56 ${String(index + 10)}`, firstName: `Client ${index}` },
}));
const phones = records.map((_, index) => `+336123456${String(index + 10)}`).sort();

describe('queue worker (examples/queue-worker)', () => {
  it('two workers push every enqueued record to the three vendors, once each', async () => {
    const stores = sandbox.storeConfigs();
    const onError = (error: Error) => void workerErrors.push(error);
    workers = [
      startWorker({ connection: redis.url, stores, onError }),
      startWorker({ connection: redis.url, stores, onError }),
    ];
    await Promise.all(workers.map((worker) => worker.ready()));

    expect(await queue.enqueue(records)).toEqual({ enqueued: records.length });
    await waitFor(async () => {
      const counts = await queue.counts();
      return counts.completed + counts.failed === records.length;
    }, 'every job to complete or fail');

    expect(await queue.counts()).toMatchObject({ completed: records.length, failed: 0 });
    for (const vendor of ['smspartner', 'callbell', 'notificore'] as const) {
      const held = sandbox.emulators[vendor].contacts().map((contact) => contact.phone);
      expect([vendor, held.sort()]).toEqual([vendor, phones]);
    }
    expect(workerErrors).toEqual([]);
  });
});
