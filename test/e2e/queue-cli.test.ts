import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Sandbox, startSandbox } from '../../sandbox/index.js';
import { buildCli, spawnNode } from '../support/child-process.js';
import { waitFor } from '../support/wait-for.js';
import { type RedisServer, startRedisServer } from '../sync/support/redis-server.js';
import { e164Phones, heldPhones, runCli, sandboxConfig, scratchFolder } from './cli-runner.js';

let redis: RedisServer;
let sandbox: Sandbox;

beforeAll(async () => {
  [redis, sandbox] = await Promise.all([startRedisServer(), startSandbox()]);
});
afterAll(async () => {
  await sandbox?.close();
  await redis?.stop();
});

describe('the command in queue mode', () => {
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

    // A worker process, stopped by SIGTERM as a process manager would stop it.
    const worker = spawnNode(
      await buildCli(),
      ['worker', '--config', config, '--redis', redis.url, '--name', name],
      { env: { PATH: process.env.PATH ?? '' } },
    );
    try {
      await waitFor(
        () => Object.values(heldPhones(sandbox)).every((phones) => phones.length >= 20),
        'the worker to sync the 20 rows',
      );
    } finally {
      worker.child.kill('SIGTERM');
    }
    const stopped = await worker.exit;
    expect(stopped.code, stopped.output).toBe(0);
    for (const phones of Object.values(heldPhones(sandbox))) {
      expect(phones).toEqual(e164Phones(20, 300).sort());
    }
    const failed = await runCli(['failed', '--redis', redis.url, '--name', name]);
    expect(failed.status).toBe(0);
    await scratch.remove();
  });
});
