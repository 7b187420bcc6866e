import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { runCli } from '../../cli/main.js';
import { failedCommand, workerCommand } from '../../cli/queue-commands.js';
import { createSyncQueue, createSyncWorker, redisRateLimiter } from '../../queue/index.js';
import { type Sandbox, startSandbox } from '../../sandbox/index.js';
import { redisLinkStore } from '../../src/redis/index.js';
import { freePort, type RedisServer, startRedisServer } from '../sync/support/redis-server.js';
import { capturedStream } from './support/captured-stream.js';
import { waitFor } from './support/wait-for.js';

let redis: RedisServer;
let sandbox: Sandbox;
let directory: string;
let file: string;
/** A port nothing listens on, and a URL to it with a password that must never be printed. */
let deadUrl: string;

beforeAll(async () => {
  [redis, sandbox] = await Promise.all([startRedisServer(), startSandbox()]);
  directory = await mkdtemp(join(tmpdir(), 'contact-sync-redis-failures-'));
  file = join(directory, 'contacts.ndjson');
  await writeFile(file, `${JSON.stringify({ key: 'a', phone: '+33612345601' })}\n`);
  deadUrl = `redis://user:s3cret-pw@127.0.0.1:${await freePort()}/0`;
});
afterAll(async () => {
  await sandbox?.close();
  await redis?.stop();
  await rm(directory, { recursive: true, force: true });
});

/** ioredis prints an error with no listener as `[ioredis] Unhandled error event` on console.error. */
function watchConsole() {
  const spy = vi.spyOn(console, 'error').mockImplementation(() => undefined);
  return {
    ioredisLines: () => spy.mock.calls.filter((call) => String(call[0]).includes('[ioredis]')),
    restore: () => spy.mockRestore(),
  };
}

describe('an unreachable Redis', () => {
  it.each([
    ['push --queue', (url: string) => ['push', '--queue', url, file]],
    ['failed --redis', (url: string) => ['failed', '--redis', url]],
    ['failed --redis --retry', (url: string) => ['failed', '--redis', url, '--retry']],
  ])('%s exits 2 with one line naming Redis and the URL, no password', async (_name, argv) => {
    const out = capturedStream();
    const err = capturedStream();
    const console = watchConsole();
    try {
      const status = await runCli({
        argv: argv(deadUrl),
        env: {},
        out: out.stream,
        err: err.stream,
      });
      expect(status).toBe(2);
      expect(err.text()).toMatch(/cannot reach Redis at redis:\/\/user:\*\*\*@127\.0\.0\.1:\d+\/0/);
      expect(err.text()).toContain('ECONNREFUSED');
      expect(err.text()).not.toContain('s3cret-pw');
      expect(console.ioredisLines()).toEqual([]);
    } finally {
      console.restore();
    }
  });

  it('worker --redis exits 2 the same way', async () => {
    const err = capturedStream();
    const status = await workerCommand({
      config: { config: { stores: sandbox.storeConfigs() } },
      redis: deadUrl,
      out: capturedStream().stream,
      err: err.stream,
      summaryEveryMs: 0,
    });
    expect(status).toBe(2);
    expect(err.text()).toContain('cannot reach Redis at redis://user:***@127.0.0.1:');
    expect(err.text()).not.toContain('s3cret-pw');
    expect(sandbox.requests).toHaveLength(0);
  });

  it('a Redis link store fails each call with a network error naming Redis, without stack traces', async () => {
    const console = watchConsole();
    const links = redisLinkStore({ connection: deadUrl });
    try {
      for (const call of [() => links.get('a'), () => links.set('a', 'p', '1')]) {
        const error = await call().then(
          () => undefined,
          (caught: unknown) => caught,
        );
        expect(error).toMatchObject({ code: 'network', retryable: true });
        expect(String((error as Error).message)).toContain(
          'cannot reach Redis at redis://user:***@',
        );
        expect(String((error as Error).message)).not.toContain('s3cret-pw');
      }
      expect(console.ioredisLines()).toEqual([]);
    } finally {
      await links.close?.();
      console.restore();
    }
  });

  it('createSyncQueue and createSyncWorker reject with the same error', async () => {
    const queue = createSyncQueue({ connection: deadUrl, name: 'dead' });
    await expect(queue.counts()).rejects.toMatchObject({
      code: 'network',
      operation: 'redis.connect',
    });
    await queue.close();
    const worker = createSyncWorker({
      connection: deadUrl,
      name: 'dead',
      stores: sandbox.storeConfigs(),
    });
    await expect(worker.ready()).rejects.toMatchObject({ code: 'network' });
    await worker.close();
  });
});

describe('Redis URLs', () => {
  it.each([
    ['http://127.0.0.1:6379', 'redis://, rediss:// or unix://, not http://'],
    ['127.0.0.1:6379', 'not 127.0.0.1:'],
    ['redis://127.0.0.1:6379/zero', 'must be a whole number'],
    ['unix://', 'expected'],
  ])('refuses %s with invalid_config naming the option', (url, message) => {
    for (const make of [
      () => redisLinkStore({ connection: url }),
      () => createSyncQueue({ connection: url, name: 'q' }),
      () => redisRateLimiter({ connection: url, key: 'k' }),
      () => redisLinkStore({ connection: { url } }),
    ]) {
      let caught: unknown;
      try {
        make();
      } catch (error) {
        caught = error;
      }
      expect(caught).toMatchObject({ code: 'invalid_config' });
      const issue = (caught as { issues: { path: string; message: string }[] }).issues[0];
      expect(issue?.path).toMatch(/^connection/);
      if (!url.startsWith('127')) expect(issue?.message).toContain(message);
    }
  });

  it('push --queue http://… exits 2 naming --queue, nothing sent', async () => {
    const err = capturedStream();
    const status = await runCli({
      argv: ['push', '--queue', 'http://127.0.0.1:6379', file],
      env: {},
      out: capturedStream().stream,
      err: err.stream,
    });
    expect(status).toBe(2);
    expect(err.text()).toContain('--queue');
    expect(err.text()).toContain('Nothing was sent');
  });

  it('honours the database index of the URL in the link store, the queue and the limiter', async () => {
    const url = `${redis.url}/5`;
    const links = redisLinkStore({ connection: url, prefix: 'db-test' });
    const queue = createSyncQueue({ connection: { url }, name: 'db-test' });
    const limiter = redisRateLimiter({
      connection: url,
      key: 'db-test-rate',
      requestsPerSecond: 5,
    });
    const direct = new Redis(redis.url);
    try {
      await links.set('k', 'p', '1');
      await queue.enqueue([{ key: 'k', contact: { phone: '+33612345601' } }]);
      await limiter.acquire();
      expect(await direct.exists('db-test:k')).toBe(0);
      await direct.select(5);
      expect(await direct.hget('db-test:k', 'p')).toBe('1');
      expect((await direct.keys('contact-sync:queue:db-test:*')).length).toBeGreaterThan(0);
      expect(await direct.exists('db-test-rate')).toBe(1);
    } finally {
      await links.close?.();
      await queue.close();
      await limiter.close();
      await direct.quit();
    }
  });

  it('fails with invalid_config when the database does not exist, never writing to database 0', async () => {
    const links = redisLinkStore({ connection: `${redis.url}/99`, prefix: 'db99' });
    const direct = new Redis(redis.url);
    try {
      await expect(links.set('k', 'p', '1')).rejects.toMatchObject({
        code: 'invalid_config',
        message: expect.stringContaining('no database 99'),
      });
      expect(await direct.exists('db99:k')).toBe(0);
      const err = capturedStream();
      const status = await runCli({
        argv: ['push', '--queue', `${redis.url}/99`, file],
        env: {},
        out: capturedStream().stream,
        err: err.stream,
      });
      expect(err.text()).toContain('has no database 99');
      expect(status).toBe(2);
    } finally {
      await links.close?.();
      await direct.quit();
    }
  });

  it('the worker default link store follows { url } (server and database)', async () => {
    const url = `${redis.url}/3`;
    const name = 'url-form';
    const queue = createSyncQueue({ connection: { url }, name });
    const worker = createSyncWorker({
      connection: { url },
      name,
      stores: sandbox.storeConfigs(),
      rateLimitPrefix: `rate-${name}`,
    });
    const direct = new Redis(url);
    try {
      await worker.ready();
      await queue.enqueue([{ key: 'url-form-1', contact: { phone: '+33612349901' } }]);
      await waitFor(async () => (await queue.counts()).completed === 1, 'the job to complete');
      const links = await direct.hgetall('contact-sync:links:url-form-1');
      expect(Object.keys(links).sort()).toEqual(
        sandbox
          .storeConfigs()
          .map((config) => config.provider)
          .sort(),
      );
    } finally {
      await worker.close();
      await queue.close();
      await direct.quit();
    }
  });

  it('failed --redis on a queue that answers lists nothing and exits 0', async () => {
    const err = capturedStream();
    expect(
      await failedCommand({
        redis: redis.url,
        name: 'empty',
        out: capturedStream().stream,
        err: err.stream,
      }),
    ).toBe(0);
    expect(err.text()).toContain("0 failed jobs on queue 'empty'");
  });
});

describe('a Redis restart', () => {
  it('is one line per worker, no stack traces, and the worker carries on', async () => {
    const server = await startRedisServer();
    const console = watchConsole();
    const errors: Error[] = [];
    const name = 'restart';
    const queue = createSyncQueue({ connection: server.url, name });
    const worker = createSyncWorker({
      connection: server.url,
      name,
      stores: sandbox.storeConfigs(),
      rateLimitPrefix: `rate-${name}`,
      onError: (error) => errors.push(error),
    });
    try {
      await worker.ready();
      await queue.enqueue([{ key: 'restart-1', contact: { phone: '+33612348801' } }]);
      await waitFor(async () => (await queue.counts()).completed === 1, 'the first job');
      await server.kill();
      await waitFor(() => errors.length > 0, 'the outage to be reported');
      await server.restart();
      // Nothing persisted: the queue is empty again. A job added now is taken once reconnected.
      await waitFor(
        async () => {
          try {
            await queue.enqueue([{ key: 'restart-2', contact: { phone: '+33612348802' } }]);
            return true;
          } catch {
            return false;
          }
        },
        'the queue to reconnect',
        30_000,
      );
      await waitFor(
        async () => (await queue.counts()).completed >= 1,
        'a job after the restart',
        30_000,
      );
      expect(errors).toHaveLength(1);
      expect(errors[0]?.message).toContain(`lost Redis at ${server.url}/0`);
      expect(console.ioredisLines()).toEqual([]);
    } finally {
      await worker.close();
      await queue.close();
      await server.stop();
      console.restore();
    }
  });
});

describe('startup checks', () => {
  it.each([
    ['no persistence', { persistence: 'none' as const }, ['persists nothing']],
    ['appendonly', { persistence: 'aof' as const }, []],
    ['RDB saves', { persistence: 'rdb' as const }, []],
    [
      'an evicting maxmemory-policy',
      { persistence: 'aof' as const, args: ['--maxmemory-policy', 'allkeys-lru'] },
      ['maxmemory-policy allkeys-lru'],
    ],
  ])(
    'a Redis with %s: one warning each from a queue and a worker saying what can be lost',
    async (_name, options, expected) => {
      const server = await startRedisServer(options);
      const warnings: string[] = [];
      const queue = createSyncQueue({
        connection: server.url,
        name: 'checks',
        onWarning: (message) => warnings.push(`queue ${message}`),
      });
      const worker = createSyncWorker({
        connection: server.url,
        name: 'checks',
        stores: sandbox.storeConfigs(),
        onWarning: (message) => warnings.push(`worker ${message}`),
      });
      try {
        await queue.counts();
        await worker.ready();
        expect(warnings).toHaveLength(expected.length * 2);
        for (const text of expected as string[]) {
          expect(warnings.filter((warning) => warning.includes(text))).toHaveLength(2);
        }
        if ((expected as string[]).includes('persists nothing')) {
          expect(warnings[0]).toContain('loses every waiting and failed job');
        }
      } finally {
        await worker.close();
        await queue.close();
        await server.stop();
      }
    },
  );
});
