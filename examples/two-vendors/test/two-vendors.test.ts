import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ContactStoreConfig, PushReport } from 'contact-sync';
import { type Sandbox, startSandbox } from 'contact-sync/sandbox';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createTwoVendorSync } from '../src/sync.js';

let sandbox: Sandbox;
let dir: string;
let smspartner: ContactStoreConfig;
let callbell: ContactStoreConfig;

beforeAll(async () => {
  sandbox = await startSandbox();
  const configs = sandbox.storeConfigs();
  smspartner = configs.find((config) => config.provider === 'smspartner') as ContactStoreConfig;
  callbell = configs.find((config) => config.provider === 'callbell') as ContactStoreConfig;
});
afterAll(() => sandbox.close());
beforeEach(async () => {
  sandbox.reset();
  dir = await mkdtemp(join(tmpdir(), 'contact-sync-two-vendors-'));
  return () => rm(dir, { recursive: true, force: true });
});

const record = { key: 'crm-42', contact: { phone: '06 12 34 56 78', firstName: 'Jeanne' } };
const changed = { key: 'crm-42', contact: { phone: '06 12 34 56 78', firstName: 'Jeanne-Marie' } };

/** One run of a nightly job: open the links file, push, close it (a later run reopens it). */
async function run(stores: [ContactStoreConfig, ContactStoreConfig], input: typeof record) {
  const { sync, links } = createTwoVendorSync({ stores, linksPath: join(dir, 'links.jsonl') });
  try {
    return await sync.push(input);
  } finally {
    await links.close?.();
  }
}

const statuses = (report: PushReport) =>
  report.results.map((result) => [result.provider, result.status]);

describe('push to two vendors (examples/two-vendors)', () => {
  it('creates at both, then a changed record updates both through the links file', async () => {
    const first = await run([smspartner, callbell], record);
    expect(statuses(first)).toEqual([
      ['smspartner', 'created'],
      ['callbell', 'created'],
    ]);
    const second = await run([smspartner, callbell], changed);
    expect(statuses(second)).toEqual([
      ['smspartner', 'updated'],
      ['callbell', 'updated'],
    ]);
    // Same ids: updated in place, never a second contact.
    expect(second.results.map((result) => result.id)).toEqual(
      first.results.map((result) => result.id),
    );
    for (const vendor of ['smspartner', 'callbell'] as const) {
      expect(sandbox.emulators[vendor].contacts().map((contact) => contact.phone)).toEqual([
        '+33612345678',
      ]);
    }
  });

  it('a vendor answering 503 fails alone: the other is written, and a rerun completes it', async () => {
    // Callbell answers 503 once; this run's Callbell store does not retry.
    sandbox.inject({ provider: 'callbell', status: 503 });
    const failing = await run([smspartner, { ...callbell, retry: false }], record);
    expect(statuses(failing)).toEqual([
      ['smspartner', 'created'],
      ['callbell', 'failed'],
    ]);
    expect(failing.results[1]?.error?.code).toBe('provider_error');
    expect(sandbox.emulators.smspartner.contacts()).toHaveLength(1);
    expect(sandbox.emulators.callbell.contacts()).toHaveLength(0);

    // The next run (retries on, as by default) completes Callbell and leaves SMS Partner alone.
    const rerun = await run([smspartner, callbell], record);
    expect(statuses(rerun)).toEqual([
      ['smspartner', 'unchanged'],
      ['callbell', 'created'],
    ]);
  });

  it('a wrong key at one vendor fails that vendor alone (unauthorized)', async () => {
    const wrong = { ...callbell, apiToken: 'not-the-token' } as ContactStoreConfig;
    const report = await run([smspartner, wrong], record);
    expect(statuses(report)).toEqual([
      ['smspartner', 'created'],
      ['callbell', 'failed'],
    ]);
    expect(report.results[1]?.error?.code).toBe('unauthorized');
    expect(sandbox.emulators.smspartner.contacts()).toHaveLength(1);
    expect(sandbox.emulators.callbell.contacts()).toHaveLength(0);
  });
});
