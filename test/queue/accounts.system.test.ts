import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ContactStoreConfig } from '../../providers/registry.js';
import { createSyncQueue, type SyncQueue } from '../../queue/index.js';
import { type Sandbox, type SandboxProvider, startSandbox } from '../../sandbox/index.js';
import type { SyncRecord } from '../../src/sync/index.js';
import { bundleForChild, type RunningChild, spawnNode } from '../support/child-process.js';
import { waitFor } from '../support/wait-for.js';
import { type RedisServer, startRedisServer } from '../sync/support/redis-server.js';
import { maxInWindow } from './support/windows.js';

/*
 * Issue 22's done-when, scaled to run in about a minute and a half on two loaded cores: four
 * worker processes serving many accounts through one queue name, a real redis-server, the
 * sandbox holding one account per customer (an API key per vendor). The full-size figures
 * (200 accounts × 50 records, a 200,000-record backlog) are measured by `npm run
 * bench:accounts` (docs/scale-out.md, "Accounts"). Nothing here asserts on time: each check
 * is a condition on what the vendors hold, what the queue counts, or the workers' own request
 * starts; the ratios are printed beside them.
 */
const VENDORS: SandboxProvider[] = ['smspartner', 'callbell', 'notificore'];
const WORKERS = 4;
const CALLBELL_LIMIT = 10;

let redis: RedisServer;
let sandbox: Sandbox;
let childScript: string;
let sentLog: string;
let accountsFile: string;
let queue: SyncQueue;
const accounts: Record<string, ContactStoreConfig[]> = {};
const workers: RunningChild[] = [];
let nextPhone = 0;

/** `count` records of `account`, keys shared across accounts (`k-0`…), phones unique. */
function recordsFor(count: number): SyncRecord[] {
  return Array.from({ length: count }, (_, index) => {
    const n = nextPhone++;
    return {
      key: `k-${index}`,
      contact: { phone: `+336${String(40_000_000 + n).slice(-8)}`, firstName: `P${n}` },
    };
  });
}

/** Adds `name` to the sandbox and to the accounts file the workers resolve from. */
function addAccount(name: string, change: (config: ContactStoreConfig) => object = (c) => c) {
  accounts[name] = sandbox.accounts
    .add(name)
    .storeConfigs()
    .map(
      (config) =>
        change({
          ...config,
          retry: { retries: 1, minTimeout: 20, maxTimeout: 50 },
          breaker: { failures: 4, cooldownMs: 1500 },
        } as ContactStoreConfig) as ContactStoreConfig,
    );
  writeFileSync(accountsFile, JSON.stringify(accounts));
}

const held = (account: string, vendor: SandboxProvider) =>
  sandbox.accounts
    .add(account)
    .emulators[vendor].contacts()
    .map((contact) => contact.phone)
    .sort();

async function completed(account: string): Promise<number> {
  return (await queue.counts({ account })).completed;
}

async function enqueue(account: string, records: SyncRecord[]) {
  await queue.enqueue(records, { account });
  return records.map((record) => record.contact.phone as string).sort();
}

/** Every request start of the workers: `{ account, provider, at }`. */
function starts() {
  return readFileSync(sentLog, 'utf8')
    .trim()
    .split('\n')
    .filter(Boolean)
    .map((line) => {
      const [account, provider, at] = line.split(' ');
      return { account: account as string, provider: provider as string, at: Number(at) };
    });
}

beforeAll(async () => {
  childScript = await bundleForChild(
    new URL('./support/accounts-worker-child.ts', import.meta.url),
    'accounts-worker-child',
  );
  sentLog = join(dirname(childScript), `accounts-sent-${process.pid}.log`);
  accountsFile = join(dirname(childScript), `accounts-${process.pid}.json`);
  rmSync(sentLog, { force: true });
  writeFileSync(sentLog, '');
  [redis, sandbox] = await Promise.all([startRedisServer(), startSandbox()]);
  writeFileSync(accountsFile, '{}');
  queue = createSyncQueue({
    connection: redis.url,
    name: 'fleet',
    attempts: 6,
    backoffMs: 200,
    onWarning: () => undefined,
  });
  for (let i = 0; i < WORKERS; i += 1) {
    workers.push(
      spawnNode(childScript, [], {
        env: {
          ...process.env,
          REDIS_URL: redis.url,
          QUEUE_NAME: 'fleet',
          ACCOUNTS_FILE: accountsFile,
          CONCURRENCY: '8',
          SENT_LOG: sentLog,
        },
      }),
    );
  }
  await Promise.all(workers.map((worker) => worker.printed(/^ready$/m, 'a worker to be ready')));
});

afterAll(async () => {
  for (const { child } of workers) if (child.exitCode === null) child.kill('SIGTERM');
  await Promise.all(workers.map((worker) => worker.exit));
  await queue?.close();
  await sandbox?.close();
  await redis?.stop();
  rmSync(sentLog, { force: true });
  rmSync(accountsFile, { force: true });
});

describe('four worker processes, many accounts (issue 22)', () => {
  it('every record lands at its own account’s vendors only: 0 lost, 0 duplicated', async () => {
    const names = Array.from({ length: 30 }, (_, i) => `many-${i}`);
    for (const name of names) addAccount(name);
    const expected: Record<string, string[]> = {};
    for (const name of names) expected[name] = await enqueue(name, recordsFor(10));
    await waitFor(
      async () => (await Promise.all(names.map(completed))).every((done) => done === 10),
      'every account to complete its 10 records',
    );
    for (const name of names) {
      for (const vendor of VENDORS)
        expect(held(name, vendor), `${name} at ${vendor}`).toEqual(expected[name]);
    }
    // The sandbox's own account (no customer's key) got nothing.
    for (const vendor of VENDORS) expect(sandbox.emulators[vendor].contacts()).toHaveLength(0);
  });

  it('a big backlog does not starve the other accounts', async () => {
    const small = (prefix: string) => Array.from({ length: 6 }, (_, i) => `${prefix}-${i}`);
    const alone = small('alone');
    const beside = small('beside');
    for (const name of [...alone, ...beside, 'big']) addAccount(name);
    let started = Date.now();
    for (const name of alone) await enqueue(name, recordsFor(15));
    await waitFor(
      async () => (await Promise.all(alone.map(completed))).every((done) => done === 15),
      'the small accounts alone',
    );
    const aloneMs = Date.now() - started;
    await enqueue('big', recordsFor(1500));
    started = Date.now();
    for (const name of beside) await enqueue(name, recordsFor(15));
    await waitFor(
      async () => (await Promise.all(beside.map(completed))).every((done) => done === 15),
      'the small accounts beside the backlog',
    );
    const besideMs = Date.now() - started;
    const bigDone = await completed('big');
    console.log(
      `accounts fairness: 6 × 15 records alone ${aloneMs} ms, beside a 1,500-record backlog ${besideMs} ms (× ${(besideMs / aloneMs).toFixed(2)}); the backlog had ${bigDone} done`,
    );
    // Served in rotation, the small accounts finish while most of the backlog still waits; in
    // one FIFO queue they would finish after it.
    expect(bigDone).toBeLessThan(750);
    await waitFor(async () => (await completed('big')) === 1500, 'the backlog to finish');
    expect(held('big', 'callbell')).toHaveLength(1500);
  });

  it('one vendor answering 503 for a while: the others keep going, it catches up, no try burnt', async () => {
    addAccount('flaky');
    addAccount('steady');
    sandbox.accounts.outage('flaky', 'callbell', 503);
    const before = starts().length;
    const flaky = await enqueue('flaky', recordsFor(60));
    const steady = await enqueue('steady', recordsFor(60));
    await waitFor(
      () => held('flaky', 'smspartner').length === 60 && held('flaky', 'notificore').length === 60,
      'the other vendors of flaky to hold every record while Callbell is down',
    );
    await waitFor(() => held('steady', 'callbell').length === 60, 'steady to finish');
    const sentToDown = starts()
      .slice(before)
      .filter((start) => start.account === 'flaky' && start.provider === 'callbell').length;
    console.log(
      `accounts 503: ${sentToDown} requests to the Callbell that was down, for 60 records`,
    );
    // Without the breaker: every try of every record (6 tries × 2 attempts each). With it: the
    // attempts that open each worker's breaker, then one probe per cooldown and worker.
    expect(sentToDown).toBeLessThan(60);
    expect((await queue.counts({ account: 'flaky' })).failed).toBe(0);
    sandbox.accounts.outage('flaky', 'callbell', undefined);
    await waitFor(async () => (await completed('flaky')) === 60, 'flaky to catch up');
    expect(held('flaky', 'callbell')).toEqual(flaky);
    expect(held('steady', 'smspartner')).toEqual(steady);
  });

  it('a revoked account and a down one: the others finish, the down one catches up', async () => {
    addAccount('revoked');
    sandbox.accounts.remove('revoked');
    addAccount('dark');
    for (const vendor of VENDORS) sandbox.accounts.outage('dark', vendor, 503);
    const bright = Array.from({ length: 5 }, (_, i) => `bright-${i}`);
    for (const name of bright) addAccount(name);
    await enqueue('revoked', recordsFor(10));
    const dark = await enqueue('dark', recordsFor(20));
    for (const name of bright) await enqueue(name, recordsFor(20));
    await waitFor(
      async () => (await Promise.all(bright.map(completed))).every((done) => done === 20),
      'the other accounts to finish',
    );
    await waitFor(
      async () => (await queue.counts({ account: 'revoked' })).failed === 10,
      'the revoked account to fail',
    );
    const failed = await queue.failed({ account: 'revoked' });
    expect(failed.every((job) => job.attemptsMade === 1)).toBe(true);
    expect(failed[0]?.errors.map((error) => error.code)).toContain('unauthorized');
    const darkCounts = await queue.counts({ account: 'dark' });
    expect(darkCounts.failed).toBe(0);
    expect(darkCounts.completed).toBe(0);
    for (const vendor of VENDORS) sandbox.accounts.outage('dark', vendor, undefined);
    await waitFor(async () => (await completed('dark')) === 20, 'the down account to catch up');
    for (const vendor of VENDORS) expect(held('dark', vendor)).toEqual(dark);
  });

  it('limits per credential: two keys two budgets, one key shared by two accounts one budget', async () => {
    const limited = (config: ContactStoreConfig) =>
      config.provider === 'callbell'
        ? { ...config, rateLimit: { requestsPerSecond: CALLBELL_LIMIT } }
        : config;
    addAccount('rate-a', limited);
    addAccount('rate-b', limited);
    addAccount('rate-c', limited);
    // rate-d uses rate-c's key: its records go to rate-c's account at the vendor.
    accounts['rate-d'] = accounts['rate-c'] as ContactStoreConfig[];
    writeFileSync(accountsFile, JSON.stringify(accounts));
    const before = starts().length;
    for (const name of ['rate-a', 'rate-b', 'rate-c', 'rate-d'])
      await enqueue(name, recordsFor(30));
    await waitFor(
      async () =>
        (await Promise.all(['rate-a', 'rate-b', 'rate-c', 'rate-d'].map(completed))).every(
          (done) => done === 30,
        ),
      'the rate-limited accounts',
    );
    const callbell = starts()
      .slice(before)
      .filter((start) => start.provider === 'callbell');
    const most = (names: string[]) =>
      maxInWindow(
        callbell.filter((start) => names.includes(start.account)).map((start) => start.at),
        1000,
      );
    const figures = {
      a: most(['rate-a']),
      b: most(['rate-b']),
      shared: most(['rate-c', 'rate-d']),
      aAndB: most(['rate-a', 'rate-b']),
    };
    console.log(
      `accounts rate limits (Callbell ${CALLBELL_LIMIT}/s per key): most starts in 1 s ${JSON.stringify(figures)}`,
    );
    expect(figures.a).toBeLessThanOrEqual(CALLBELL_LIMIT);
    expect(figures.b).toBeLessThanOrEqual(CALLBELL_LIMIT);
    expect(figures.shared).toBeLessThanOrEqual(CALLBELL_LIMIT);
    // Two keys are two budgets: together they went above one key's limit.
    expect(figures.aAndB).toBeGreaterThan(CALLBELL_LIMIT);
    expect(held('rate-c', 'callbell')).toHaveLength(60);
  });
});
