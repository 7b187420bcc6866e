import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Sandbox, startSandbox } from '../../sandbox/index.js';
import { waitFor } from '../support/wait-for.js';
import { type RedisServer, startRedisServer } from '../sync/support/redis-server.js';
import { e164Phones, runCli, scratchFolder } from './cli-runner.js';

let redis: RedisServer;
let sandbox: Sandbox;

beforeAll(async () => {
  [redis, sandbox] = await Promise.all([startRedisServer(), startSandbox()]);
});
afterAll(async () => {
  await sandbox?.close();
  await redis?.stop();
});

const phonesOf = (account: string, vendor: 'smspartner' | 'callbell' | 'notificore') =>
  sandbox.accounts
    .add(account)
    .emulators[vendor].contacts()
    .map((contact) => contact.phone)
    .sort();

describe('contact-sync worker --accounts, push --account, status', () => {
  it('serves two accounts from one file; status and failed per account', async () => {
    const scratch = await scratchFolder();
    const accountsFile = await scratch.write('accounts.json', {
      north: { stores: sandbox.accounts.add('north').storeConfigs(), defaultCountry: 'FR' },
      south: { stores: sandbox.accounts.add('south').storeConfigs(), defaultCountry: 'FR' },
    });
    const name = `cli-accounts-${Date.now()}`;
    const rows = (from: number) =>
      ['key,phone', ...e164Phones(6, from).map((phone, index) => `k-${index},${phone}`)].join('\n');
    const north = await scratch.write('north.csv', rows(100));
    const south = await scratch.write('south.csv', rows(200));
    for (const [file, account] of [
      [north, 'north'],
      [south, 'south'],
    ] as const) {
      const run = await runCli([
        'push',
        file,
        '--queue',
        redis.url,
        '--name',
        name,
        '--account',
        account,
      ]);
      expect(run.status, run.stderr).toBe(0);
      expect(run.stdout).toContain(`for account '${account}'`);
    }
    const before = await runCli(['status', '--redis', redis.url, '--name', name]);
    expect(before.status).toBe(0);
    expect(before.stdout).toMatch(/^north\s+6\s+0\s+0\s+0\s+0\s+0\s+-$/m);

    const stop = new AbortController();
    const worker = runCli(
      ['worker', '--accounts', accountsFile, '--redis', redis.url, '--name', name],
      { signal: stop.signal },
    );
    try {
      await waitFor(
        () =>
          phonesOf('north', 'callbell').length === 6 &&
          phonesOf('south', 'notificore').length === 6,
        'the worker to sync both accounts',
      );
    } finally {
      stop.abort();
    }
    expect((await worker).status).toBe(0);
    for (const vendor of ['smspartner', 'callbell', 'notificore'] as const) {
      expect(phonesOf('north', vendor)).toEqual(e164Phones(6, 100).sort());
      expect(phonesOf('south', vendor)).toEqual(e164Phones(6, 200).sort());
    }
    const status = await runCli([
      'status',
      '--redis',
      redis.url,
      '--name',
      name,
      '--account',
      'south',
    ]);
    expect(status.stdout).toMatch(/^south\s+0\s+0\s+0\s+0\s+6\s+[\d.]+\s+done$/m);
    expect(status.stdout).not.toContain('north');
    const failed = await runCli([
      'failed',
      '--redis',
      redis.url,
      '--name',
      name,
      '--account',
      'north',
    ]);
    expect(failed.status).toBe(0);
    expect(failed.stderr).toContain('0 failed jobs');
    await scratch.remove();
  });

  it('refuses --account without --queue, and an accounts file with a bad name or a literal secret', async () => {
    const scratch = await scratchFolder();
    const run = await runCli(['push', 'x.csv', '--account', 'a']);
    expect(run.status).toBe(2);
    expect(run.stderr).toContain('--account goes with --queue');
    const badName = await scratch.write('bad.json', { 'a:b': { stores: [] } });
    const refused = await runCli(['worker', '--accounts', badName, '--redis', redis.url]);
    expect(refused.status).toBe(2);
    expect(refused.stderr).toContain('account names are 1 to 100 letters');
    const literal = await scratch.write('literal.json', {
      acme: { stores: [{ provider: 'callbell', apiToken: 'cb_live_secret' }] },
    });
    const secret = await runCli(['worker', '--accounts', literal, '--redis', redis.url]);
    expect(secret.status).toBe(2);
    expect(secret.stderr).toContain('account acme: stores[0].apiToken');
    expect(secret.stderr).not.toContain('cb_live_secret');
    await scratch.remove();
  });
});
