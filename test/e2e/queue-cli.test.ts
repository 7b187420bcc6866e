import { spawn } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Sandbox, startSandbox } from '../../sandbox/index.js';
import { type RedisServer, startRedisServer } from '../sync/support/redis-server.js';
import {
  CLI_FILE,
  e164Phones,
  heldPhones,
  runCli,
  sandboxConfig,
  scratchFolder,
} from './cli-runner.js';

let redis: RedisServer;
let sandbox: Sandbox;

beforeAll(async () => {
  [redis, sandbox] = await Promise.all([startRedisServer(), startSandbox()]);
});
afterAll(async () => {
  await sandbox?.close();
  await redis?.stop();
});

describe('the built command in queue mode', () => {
  it('refuses worker and failed without --redis (exit 2)', async () => {
    for (const command of ['worker', 'failed']) {
      const run = await runCli([command]);
      expect(run.status).toBe(2);
      expect(run.stderr).toContain('--redis');
    }
  });

  it('enqueues with push --queue, syncs with a worker until SIGTERM, lists no failed job', async () => {
    const scratch = await scratchFolder();
    const config = await scratch.write(
      'contact-sync.config.json',
      JSON.stringify(sandboxConfig(sandbox)),
    );
    const rows = e164Phones(20, 300).map((phone, index) => `q-${index},${phone}`);
    const input = await scratch.write('rows.csv', ['key,phone', ...rows].join('\n'));
    const name = `cli-${Date.now()}`;

    const enqueued = await runCli(['push', input, '--queue', redis.url, '--name', name]);
    expect(enqueued.status).toBe(0);
    expect(sandbox.requests).toHaveLength(0);

    const worker = spawn(
      process.execPath,
      [CLI_FILE, 'worker', '--config', config, '--redis', redis.url, '--name', name],
      { stdio: ['ignore', 'pipe', 'pipe'], env: { PATH: process.env.PATH ?? '' } },
    );
    const exited = new Promise<number | null>((resolve) => worker.on('close', resolve));
    const deadline = Date.now() + 20_000;
    while (Object.values(heldPhones(sandbox)).some((phones) => phones.length < 20)) {
      if (Date.now() > deadline) throw new Error('the worker did not sync the 20 rows in time');
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    worker.kill('SIGTERM');
    expect(await exited).toBe(0);
    for (const phones of Object.values(heldPhones(sandbox))) {
      expect(phones).toEqual(e164Phones(20, 300).sort());
    }
    const failed = await runCli(['failed', '--redis', redis.url, '--name', name]);
    expect(failed.status).toBe(0);
    await scratch.remove();
  });
});
