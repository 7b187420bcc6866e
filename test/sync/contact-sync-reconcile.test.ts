import nock from 'nock';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createCallbellContactStore } from '../../providers/callbell/index.js';
import { createCallbellEmulator } from '../../sandbox/callbell/emulator.js';
import { createContactSync, memoryLinkStore } from '../../src/sync/index.js';
import { mountEmulator } from '../support/nock-emulator.js';

const ORIGIN = 'https://api.callbell.eu';

describe('ContactSync with stores that reconcile', () => {
  beforeAll(() => nock.disableNetConnect());
  afterEach(() => nock.cleanAll());
  afterAll(() => nock.enableNetConnect());

  it('reports unchanged, and writes nothing, when a linked contact already matches', async () => {
    const emulator = createCallbellEmulator({ apiToken: 't' });
    const mount = mountEmulator(emulator, ORIGIN);
    const store = createCallbellContactStore({ apiToken: 't', rateLimit: false });
    const sync = createContactSync({ stores: [store], links: memoryLinkStore() });
    const record = { key: 'crm-1', contact: { phone: '+33612345678', name: 'Jeanne' } };

    expect((await sync.push(record)).results[0]?.status).toBe('created');
    mount.clear();
    expect((await sync.push(record)).results[0]?.status).toBe('unchanged');
    // The remembered fingerprint matches: nothing is sent at all.
    expect(mount.requests).toEqual([]);
    // Verified: one read, no write.
    expect((await sync.push(record, { verify: 'always' })).results[0]?.status).toBe('unchanged');
    expect(mount.requests.map((request) => request.method)).toEqual(['GET']);

    const renamed = { key: 'crm-1', contact: { phone: '+33612345678', name: 'Jeanne M.' } };
    expect((await sync.push(renamed)).results[0]?.status).toBe('updated');
    expect(emulator.contacts()).toHaveLength(1);
  });

  it('reports unchanged when a sent write changes nothing Callbell holds (one name part)', async () => {
    const emulator = createCallbellEmulator({ apiToken: 't' });
    const mount = mountEmulator(emulator, ORIGIN);
    const store = createCallbellContactStore({ apiToken: 't', rateLimit: false });
    const sync = createContactSync({ stores: [store], links: memoryLinkStore() });
    const key = 'crm-1';
    await sync.push({ key, contact: { phone: '+33612345678', firstName: 'Ana' } });
    mount.clear();
    // Callbell keeps only the composed name, and leaves it alone for a first name alone.
    const again = await sync.push(
      { key, contact: { phone: '+33612345678', firstName: 'Anabel' } },
      { verify: 'always' },
    );
    expect(again.results[0]?.status).toBe('unchanged');
    expect(mount.requests.some((request) => request.method !== 'GET')).toBe(false);
  });
});
