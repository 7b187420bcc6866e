import nock from 'nock';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { createCallbellContactStore } from '../../providers/callbell/index.js';
import { createCallbellEmulator } from '../../sandbox/callbell/emulator.js';
import type { LinkStore } from '../../src/sync/index.js';
import { createContactSync, memoryLinkStore } from '../../src/sync/index.js';
import { mountEmulator } from '../support/nock-emulator.js';
import { createFakeContactStore } from './support/fake-contact-store.js';

const phoneOf = (n: number) => `+3361${String(n).padStart(7, '0')}`;
const recordOf = (n: number, firstName = 'Ana') => ({
  key: `crm-${n}`,
  contact: { phone: phoneOf(n), firstName, tags: ['b', 'a'] },
});
const DAY = 86_400_000;

async function drain(iterable: AsyncIterable<unknown>) {
  const out: unknown[] = [];
  for await (const item of iterable) out.push(item);
  return out;
}

describe('ContactSync sync state (design §13)', () => {
  afterEach(() => vi.useRealTimers());

  it('sends nothing for a rerun whose fingerprints match, and only the changed writes after', async () => {
    const alpha = createFakeContactStore('alpha');
    const beta = createFakeContactStore('beta');
    const links = memoryLinkStore();
    const sync = createContactSync({ stores: [alpha, beta], links });
    const records = Array.from({ length: 50 }, (_, n) => recordOf(n));
    await drain(sync.pushMany(records));
    alpha.calls.length = 0;
    beta.calls.length = 0;

    const rerun = (await drain(sync.pushMany(records))) as { results: { status: string }[] }[];
    expect(rerun.flatMap((report) => report.results.map((result) => result.status))).toEqual(
      Array(100).fill('unchanged'),
    );
    expect([...alpha.calls, ...beta.calls]).toEqual([]);

    // Tags in another order are the same contact: still nothing sent.
    await sync.push({ key: 'crm-1', contact: { ...recordOf(1).contact, tags: ['a', 'b'] } });
    expect(alpha.calls).toEqual([]);

    const changed = records.map((record, n) => (n % 10 === 0 ? recordOf(n, 'Bea') : record));
    const reports = (await drain(sync.pushMany(changed))) as { results: { status: string }[] }[];
    const updated = reports.filter((report) => report.results[0]?.status === 'updated');
    expect(updated).toHaveLength(5);
    expect(alpha.calls.every((call) => call.operation !== 'create')).toBe(true);
    expect(alpha.calls.length).toBeGreaterThanOrEqual(5);
    expect(alpha.calls.length).toBeLessThanOrEqual(10);
    const state = await links.getState?.('crm-0');
    expect(state?.alpha?.fingerprint).toBeTruthy();
    expect(state?.alpha?.verifiedAt).toBeTruthy();
  });

  it('keeps no fingerprint for a write the vendor did not confirm', async () => {
    const alpha = createFakeContactStore('alpha');
    const links = memoryLinkStore();
    const sync = createContactSync({ stores: [alpha], links });
    await sync.push(recordOf(1));
    const before = await links.getState?.('crm-1');
    alpha.fail('update', Object.assign(new Error('boom')), 1);
    const failed = await sync.push(recordOf(1, 'Bea'));
    expect(failed.results[0]?.status).toBe('failed');
    expect(await links.getState?.('crm-1')).toEqual(before);
    // The change is still pending: the next push sends it.
    const retried = await sync.push(recordOf(1, 'Bea'));
    expect(retried.results[0]?.status).toBe('updated');
  });

  it('verifies an old link (no fingerprint) once, then trusts the state', async () => {
    const alpha = createFakeContactStore('alpha');
    const links = memoryLinkStore();
    const sync = createContactSync({ stores: [alpha], links });
    await sync.push(recordOf(1));
    const id = (await links.get('crm-1'))?.alpha as string;
    await links.set('crm-1', 'alpha', id); // as an old link file or hash holds it
    alpha.calls.length = 0;
    // This store has no reconcile: a verified link is written (updated), as before state.
    expect((await sync.push(recordOf(1))).results[0]?.status).toBe('updated');
    expect(alpha.calls.length).toBeGreaterThan(0);
    expect((await links.getState?.('crm-1'))?.alpha?.fingerprint).toBeTruthy();
    alpha.calls.length = 0;
    expect((await sync.push(recordOf(1))).results[0]?.status).toBe('unchanged');
    expect(alpha.calls).toEqual([]);
  });

  it("keeps today's read-and-compare for a link store without the state methods", async () => {
    const alpha = createFakeContactStore('alpha');
    const inner = memoryLinkStore();
    const own: LinkStore = {
      get: inner.get,
      set: inner.set,
      delete: inner.delete,
      findKey: inner.findKey,
    };
    const sync = createContactSync({ stores: [alpha], links: own });
    await sync.push(recordOf(1));
    alpha.calls.length = 0;
    expect((await sync.push(recordOf(1))).results[0]?.status).toBe('updated');
    expect(alpha.calls.map((call) => call.operation)).toEqual(['update']);
  });

  it('verify: { olderThanMs: 7 days } over 7 nights reads every contact once, about a seventh a night', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(Date.parse('2026-01-01T02:00:00Z'));
    const alpha = createFakeContactStore('alpha');
    const sync = createContactSync({ stores: [alpha], links: memoryLinkStore() });
    const records = Array.from({ length: 700 }, (_, n) => recordOf(n));
    await drain(sync.pushMany(records));
    const readPerNight: number[] = [];
    const readKeys = new Map<string, number>();
    for (let night = 1; night <= 7; night += 1) {
      vi.setSystemTime(Date.parse('2026-01-01T02:00:00Z') + night * DAY);
      alpha.calls.length = 0;
      await drain(sync.pushMany(records, { verify: { olderThanMs: 7 * DAY } }));
      // This store has no reconcile: a verified link costs one update.
      const reads = alpha.calls.filter((call) => call.operation === 'update');
      readPerNight.push(reads.length);
      for (const call of reads) readKeys.set(call.id ?? '', (readKeys.get(call.id ?? '') ?? 0) + 1);
      expect(alpha.calls.every((call) => call.operation === 'update')).toBe(true);
    }
    expect(readKeys.size).toBe(700);
    expect([...readKeys.values()].every((times) => times === 1)).toBe(true);
    for (const reads of readPerNight) {
      expect(reads).toBeGreaterThan(50);
      expect(reads).toBeLessThan(150);
    }
  });

  it('rejects a bad verify naming it', async () => {
    const sync = createContactSync({ stores: [createFakeContactStore('alpha')] });
    await expect(sync.push(recordOf(1), { verify: { olderThanMs: -1 } })).rejects.toMatchObject({
      code: 'invalid_config',
      issues: [{ path: 'verify' }],
    });
    expect(() => sync.pushMany([], { verify: 'sometimes' as never })).toThrow(/verify/);
  });

  it('counts and marks the keys seen more than once in one pushMany', async () => {
    const sync = createContactSync({ stores: [createFakeContactStore('alpha')] });
    let duplicates = 0;
    const reports = (await drain(
      sync.pushMany([recordOf(1), recordOf(2), recordOf(1, 'Bea'), recordOf(1, 'Cy')], {
        onProgress: (progress) => {
          duplicates = progress.duplicates ?? 0;
        },
      }),
    )) as { key: string; duplicate?: boolean }[];
    expect(duplicates).toBe(2);
    expect(reports.filter((report) => report.duplicate).map((report) => report.key)).toEqual([
      'crm-1',
      'crm-1',
    ]);
  });
});

describe('fingerprints of a shipped store', () => {
  beforeAll(() => nock.disableNetConnect());
  afterEach(() => nock.cleanAll());
  afterAll(() => nock.enableNetConnect());

  it('resends when the mapping (fieldMap) changes, though the input did not', async () => {
    const emulator = createCallbellEmulator({ apiToken: 't' });
    const mount = mountEmulator(emulator, 'https://api.callbell.eu');
    const links = memoryLinkStore();
    const record = {
      key: 'crm-1',
      contact: { phone: '+33612345678', name: 'Jeanne', customFields: { company: 'Acme' } },
    };
    const before = createCallbellContactStore({
      apiToken: 't',
      rateLimit: false,
      fieldMap: { company: 'Company' },
    });
    await createContactSync({ stores: [before], links }).push(record);
    mount.clear();
    await createContactSync({ stores: [before], links }).push(record);
    expect(mount.requests).toEqual([]);
    const remapped = createCallbellContactStore({
      apiToken: 't',
      rateLimit: false,
      fieldMap: { company: 'City' },
    });
    expect(remapped.fingerprint?.(record.contact)).not.toBe(before.fingerprint?.(record.contact));
    await createContactSync({ stores: [remapped], links }).push(record);
    expect(mount.requests.length).toBeGreaterThan(0);
  });

  it('gives one fingerprint to inputs the store sends alike, and never holds the phone', () => {
    const store = createCallbellContactStore({ apiToken: 't', rateLimit: false });
    const national = { phone: '06 12 34 56 78', name: 'J', tags: ['x', 'y'] };
    // A national number needs defaultCountry: invalid before any hash.
    expect(() => store.fingerprint?.(national)).toThrow(
      expect.objectContaining({ code: 'invalid_input' }),
    );
    const b = store.fingerprint?.({ phone: '+33612345678', name: 'J', tags: ['y', 'x', 'x'] });
    const fr = createCallbellContactStore({
      apiToken: 't',
      rateLimit: false,
      defaultCountry: 'FR',
    });
    expect(fr.fingerprint?.({ phone: '06 12 34 56 78', name: 'J', tags: ['x', 'y'] })).toBe(b);
    expect(b).not.toContain('33612345678');
  });
});
