import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  failedCommand,
  queuePushCommand,
  redactUrl,
  workerCommand,
} from '../../cli/queue-commands.js';
import { createSyncQueue } from '../../queue/index.js';
import { type Sandbox, startSandbox } from '../../sandbox/index.js';
import { type RedisServer, startRedisServer } from '../sync/support/redis-server.js';
import { capturedStream } from './support/captured-stream.js';
import { waitFor } from './support/wait-for.js';

let redis: RedisServer;
let sandbox: Sandbox;
let directory: string;

beforeAll(async () => {
  [redis, sandbox] = await Promise.all([startRedisServer(), startSandbox()]);
  directory = await mkdtemp(join(tmpdir(), 'contact-sync-queue-cli-'));
});
afterAll(async () => {
  await sandbox?.close();
  await redis?.stop();
  await rm(directory, { recursive: true, force: true });
});

describe('queue commands', () => {
  it('push --queue enqueues, worker pushes until stopped, failed lists and retries', async () => {
    const file = join(directory, 'contacts.ndjson');
    await writeFile(
      file,
      [
        { key: 'a', phone: '+33612345601', firstName: 'Ann' },
        { key: 'b', phone: '+33612345602' },
        { phone: '+33612345603' },
        { key: 'bad', phone: '+33 12' },
      ]
        .map((row) => JSON.stringify(row))
        .join('\n'),
    );
    const out = capturedStream();
    const err = capturedStream();
    const name = 'cli';
    expect(
      await queuePushCommand({ file, redis: redis.url, name, out: out.stream, err: err.stream }),
    ).toBe(1);
    expect(out.text()).toContain("Enqueued 3 records on queue 'cli'");
    expect(err.text()).toContain(':3: not enqueued: key: required');
    expect(sandbox.requests).toHaveLength(0);

    const queue = createSyncQueue({ connection: redis.url, name });
    const controller = new AbortController();
    const workerOut = capturedStream();
    const workerErr = capturedStream();
    const running = workerCommand({
      config: { config: { stores: sandbox.storeConfigs() } },
      redis: redis.url,
      name,
      out: workerOut.stream,
      err: workerErr.stream,
      signal: controller.signal,
    });
    await waitFor(async () => {
      const counts = await queue.counts();
      return counts.completed === 2 && counts.failed === 1;
    }, 'the jobs to finish');
    controller.abort();
    expect(await running).toBe(0);
    expect(workerErr.text()).toContain("Worker on queue 'cli'");
    expect(workerOut.text()).toMatch(/callbell/);
    expect(sandbox.emulators.smspartner.contacts()).toHaveLength(2);

    const listed = capturedStream();
    const listErr = capturedStream();
    expect(
      await failedCommand({
        redis: redis.url,
        name,
        retry: true,
        out: listed.stream,
        err: listErr.stream,
      }),
    ).toBe(0);
    const [line] = listed.text().trim().split('\n');
    const job = JSON.parse(line as string);
    expect(job).toMatchObject({ key: 'bad', attemptsMade: 1 });
    expect(job.errors[0].code).toBe('invalid_input');
    expect(listed.text()).not.toContain('+33 12');
    expect(listErr.text()).toContain("1 failed jobs on queue 'cli'");
    expect(listErr.text()).toContain('1 jobs sent back to the queue');
    expect(await queue.counts()).toMatchObject({ waiting: 1, failed: 0 });
    await queue.close();
  });

  it("the worker's summary counts records, not tries", async () => {
    const name = 'counts';
    const file = join(directory, 'counts.ndjson');
    await writeFile(
      file,
      [
        { key: 'c-ok', phone: '+33612345611' },
        { key: 'c-bad', phone: '+33 12' },
        { key: 'c-later', phone: '+33612345612' },
      ]
        .map((row) => JSON.stringify(row))
        .join('\n'),
    );
    // c-later fails at Notificore (a 500 on its one try), then succeeds after failed --retry.
    sandbox.inject({ provider: 'notificore', status: 500, times: 1 });
    const queue = createSyncQueue({ connection: redis.url, name });
    const controller = new AbortController();
    const out = capturedStream();
    const err = capturedStream();
    const running = workerCommand({
      config: {
        config: {
          stores: sandbox.storeConfigs().map((config) => ({ ...config, retry: false })),
        },
      },
      redis: redis.url,
      name,
      out: out.stream,
      err: err.stream,
      signal: controller.signal,
      summaryEveryMs: 0,
    });
    try {
      expect(
        await queuePushCommand({
          file,
          redis: redis.url,
          name,
          out: capturedStream().stream,
          err: capturedStream().stream,
        }),
      ).toBe(0);
      await waitFor(async () => {
        const counts = await queue.counts();
        return counts.completed + counts.failed === 3 && counts.active + counts.waiting === 0;
      }, 'the first tries');
      const failedBefore = (await queue.counts()).failed;
      expect(failedBefore).toBeGreaterThanOrEqual(1);
      await failedCommand({
        redis: redis.url,
        name,
        retry: true,
        out: capturedStream().stream,
        err: capturedStream().stream,
      });
      await waitFor(async () => {
        const counts = await queue.counts();
        return counts.failed === 1 && counts.waiting + counts.active + counts.delayed === 0;
      }, 'the retried jobs');
    } finally {
      controller.abort();
    }
    expect(await running).toBe(0);
    // Three records: two synced (one of them after a retry), one that no retry can fix.
    expect(out.text()).toContain('3 records, 2 fully synced, 1 with failures');
    expect(err.text()).not.toContain('to be retried');
    await queue.close();
  });

  it('never shows a Redis password', () => {
    expect(redactUrl('redis://user:s3cret@host:6379/0')).toBe('redis://user:***@host:6379/0');
    expect(redactUrl('not a url')).toBe('the Redis URL');
  });
});
