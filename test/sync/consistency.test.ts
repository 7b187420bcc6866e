import nock from 'nock';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createCallbellContactStore } from '../../providers/callbell/index.js';
import { createNotificoreContactStore } from '../../providers/notificore/index.js';
import { createSmsPartnerContactStore } from '../../providers/smspartner/index.js';
import { createCallbellEmulator } from '../../sandbox/callbell/emulator.js';
import { createNotificoreEmulator } from '../../sandbox/notificore/emulator.js';
import { createSmsPartnerEmulator } from '../../sandbox/smspartner/emulator.js';
import type { Contact } from '../../src/contact.js';
import type { ContactStore } from '../../src/contact-store.js';
import {
  createContactSync,
  type LinkStore,
  memoryLinkStore,
  type PushReport,
  type SyncRecord,
} from '../../src/sync/index.js';
import { type MountedEmulator, mountEmulator } from '../support/nock-emulator.js';

const fast = { retry: { minTimeout: 0, maxTimeout: 0 }, rateLimit: false } as const;

/** The three vendors behind nock, each over its strict emulator. */
function vendors() {
  const smsPartner = createSmsPartnerEmulator({ apiKey: 'sp-key', groups: ['g1'] });
  const notificore = createNotificoreEmulator();
  const callbell = createCallbellEmulator({ apiToken: 'cb-token' });
  const mounts: Record<string, MountedEmulator> = {
    smspartner: mountEmulator(smsPartner, 'https://api.smspartner.fr'),
    notificore: mountEmulator(notificore, 'https://one-api.notificore.ru'),
    callbell: mountEmulator(callbell, 'https://api.callbell.eu'),
  };
  const stores: ContactStore[] = [
    createSmsPartnerContactStore({ apiKey: 'sp-key', groupId: 'g1', ...fast }),
    createNotificoreContactStore({
      apiKey: 'test-key',
      fieldMap: { firstName: 25964, lastName: 25965, name: 25966 },
      ...fast,
    }),
    createCallbellContactStore({ apiToken: 'cb-token', ...fast }),
  ];
  return { stores, mounts, emulators: { smsPartner, notificore, callbell } };
}

/** What each vendor holds, by phone: the first name (Callbell keeps only the display name). */
async function heldBy(store: ContactStore): Promise<Map<string, Contact[]>> {
  const held = new Map<string, Contact[]>();
  for await (const contact of store.list()) {
    held.set(contact.phone!, [...(held.get(contact.phone!) ?? []), contact]);
  }
  return held;
}

const firstNameOf = (contact: Contact) => contact.firstName ?? contact.name?.split(' ')[0];

const phoneOf = (index: number) => `+3361${String(index).padStart(7, '0')}`;
const person = (index: number, first: string) => ({
  phone: phoneOf(index),
  firstName: first,
  lastName: `K${index}`,
  name: `${first} K${index}`,
});

async function drain(reports: AsyncIterable<PushReport>): Promise<PushReport[]> {
  const all: PushReport[] = [];
  for await (const report of reports) all.push(report);
  return all;
}

/**
 * The worst timing for a key pushed twice: the earlier record ('Eve') holds its write until the
 * later one ('Fred') of its key has finished, or, when nothing else runs meanwhile (as it should,
 * since the later one waits for it), after a few hundred turns of the event loop.
 */
function earlierIsSlower(store: ContactStore): ContactStore {
  const finished = new Map<string, () => void>();
  const done = (phone: string) =>
    new Promise<void>((resolve) => {
      finished.set(phone, resolve);
    });
  const idle = async () => {
    for (let turn = 0; turn < 300; turn += 1) await new Promise((resolve) => setImmediate(resolve));
  };
  const reconcile = store.reconcile as NonNullable<ContactStore['reconcile']>;
  return {
    ...store,
    async reconcile(id, input, options) {
      if (input.firstName === 'Eve') await Promise.race([done(input.phone!), idle()]);
      const result = await reconcile(id, input, options);
      if (input.firstName === 'Fred') finished.get(input.phone!)?.();
      return result;
    },
  };
}

// Hundreds of requests per case through nock: a generous bound for a loaded machine.
describe('two records of one key', { timeout: 240_000 }, () => {
  beforeAll(() => nock.disableNetConnect());
  afterEach(() => nock.cleanAll());
  afterAll(() => nock.enableNetConnect());

  it('applies two records of one key in input order: 100 keys pushed twice end with the last record everywhere', async () => {
    const stores = vendors().stores.map(earlierIsSlower);
    const sync = createContactSync({ stores, links: memoryLinkStore() });
    // Linked first, so the two records below take the update path, where nothing else orders them.
    const seeded = await drain(
      sync.pushMany(
        Array.from({ length: 100 }, (_, index) => ({
          key: `crm-${index}`,
          contact: person(index, 'Ann'),
        })),
        { concurrency: 16 },
      ),
    );
    expect(seeded.every((report) => report.results.every((r) => r.status === 'created'))).toBe(
      true,
    );
    const records: SyncRecord[] = [];
    // Each key's second record follows its first closely, inside one window.
    for (let index = 0; index < 100; index += 2) {
      records.push({ key: `crm-${index}`, contact: person(index, 'Eve') });
      records.push({ key: `crm-${index + 1}`, contact: person(index + 1, 'Eve') });
      records.push({ key: `crm-${index}`, contact: person(index, 'Fred') });
      records.push({ key: `crm-${index + 1}`, contact: person(index + 1, 'Fred') });
    }
    const reports = await drain(sync.pushMany(records, { concurrency: 16 }));
    expect(reports).toHaveLength(200);
    const failed = reports.flatMap((report) =>
      report.results.filter((result) => result.status === 'failed'),
    );
    expect(failed).toEqual([]);
    for (const store of stores) {
      const held = await heldBy(store);
      expect(held.size, store.provider).toBe(100);
      for (let index = 0; index < 100; index += 1) {
        const contacts = held.get(phoneOf(index)) ?? [];
        expect(contacts, `${store.provider} ${index}`).toHaveLength(1);
        expect(firstNameOf(contacts[0] as Contact), `${store.provider} ${index}`).toBe('Fred');
      }
    }
  });
});

// Hundreds of requests per case through nock: a generous bound for a loaded machine.
describe('two keys with one phone', { timeout: 240_000 }, () => {
  beforeAll(() => nock.disableNetConnect());
  afterEach(() => nock.cleanAll());
  afterAll(() => nock.enableNetConnect());

  it('gives a second key with a phone already linked to another key a conflict naming it, and writes nothing for it', async () => {
    const { stores, mounts } = vendors();
    const links = memoryLinkStore();
    const sync = createContactSync({ stores, links });
    const records: SyncRecord[] = [];
    for (let index = 0; index < 100; index += 1) {
      records.push({ key: `a-${index}`, contact: person(index, 'Anna') });
      records.push({ key: `b-${index}`, contact: person(index, 'Bert') });
    }
    const reports = await drain(sync.pushMany(records, { concurrency: 16 }));
    const byKey = new Map(reports.map((report) => [report.key, report]));
    for (let index = 0; index < 100; index += 1) {
      const first = byKey.get(`a-${index}`) as PushReport;
      const second = byKey.get(`b-${index}`) as PushReport;
      expect(first.results.map((result) => result.status)).toEqual([
        'created',
        'created',
        'created',
      ]);
      for (const [position, result] of second.results.entries()) {
        expect(result.status).toBe('failed');
        expect(result.error).toMatchObject({
          code: 'conflict',
          existingKey: `a-${index}`,
          existingId: first.results[position]?.id,
          retryable: false,
        });
      }
      expect(await links.get(`b-${index}`)).toBeUndefined();
    }
    // No request carried the second key's data: every store looks the phone up first (SMS Partner
    // from its index of the group) and finds the first key's contact.
    for (const [name, mount] of Object.entries(mounts)) {
      const carried = mount.requests.filter((request) =>
        JSON.stringify(request.body ?? null).includes('Bert'),
      );
      const routes = new Set(carried.map((request) => `${request.method} ${request.path}`));
      expect([...routes], name).toEqual([]);
    }
    for (const store of stores) {
      const held = await heldBy(store);
      expect(held.size).toBe(100);
      for (const [, contacts] of held) expect(contacts.map(firstNameOf)).toEqual(['Anna']);
    }
  });

  it("with sharedPhones: 'link', links the second key to the same contact (the last writer wins)", async () => {
    const { stores } = vendors();
    const links = memoryLinkStore();
    const sync = createContactSync({ stores, links, sharedPhones: 'link' });
    const records: SyncRecord[] = [];
    for (let index = 0; index < 100; index += 1) {
      records.push({ key: `a-${index}`, contact: person(index, 'Anna') });
      records.push({ key: `b-${index}`, contact: person(index, 'Bert') });
    }
    const reports = await drain(sync.pushMany(records, { concurrency: 16 }));
    const failed = reports.flatMap((report) =>
      report.results.filter((result) => result.status === 'failed'),
    );
    expect(failed).toEqual([]);
    for (let index = 0; index < 100; index += 1) {
      const first = await links.get(`a-${index}`);
      expect(first && Object.keys(first).sort()).toEqual(['callbell', 'notificore', 'smspartner']);
      expect(await links.get(`b-${index}`)).toEqual(first);
    }
    for (const store of stores) {
      const held = await heldBy(store);
      expect(held.size).toBe(100);
      for (const [, contacts] of held) expect(contacts.map(firstNameOf)).toEqual(['Bert']);
    }
  });

  it('a single push of a second key gets the conflict too, and a push of the first key still updates', async () => {
    const { stores } = vendors();
    const links = memoryLinkStore();
    const sync = createContactSync({ stores, links });
    await sync.push({ key: 'a', contact: person(1, 'Anna') });
    const second = await sync.push({ key: 'b', contact: person(1, 'Bert') });
    expect(second.results.map((result) => result.error?.existingKey)).toEqual(['a', 'a', 'a']);
    const again = await sync.push({ key: 'a', contact: person(1, 'Anne') });
    expect(again.results.map((result) => result.status)).toEqual(['updated', 'updated', 'updated']);
  });

  it('checks a store that ignores claim after the fact: reported, not linked', async () => {
    const { stores } = vendors();
    const inner = stores[0] as ContactStore;
    // A store of one's own that drops the claim option on the floor.
    const careless: ContactStore = {
      provider: inner.provider,
      capabilities: inner.capabilities,
      create: (input, options) => inner.create(input, options),
      update: (id, patch, options) => inner.update(id, patch, options),
      get: (id, options) => inner.get(id, options),
      findByPhone: (phone, options) => inner.findByPhone(phone, options),
      delete: (id, options) => inner.delete(id, options),
      list: (options) => inner.list(options),
      upsert: (input, options) => inner.upsert(input, { signal: options?.signal }),
      preview: (operation, input, id) => inner.preview(operation, input, id),
    };
    const links: LinkStore = memoryLinkStore();
    const sync = createContactSync({ stores: [careless], links });
    await sync.push({ key: 'a', contact: person(1, 'Anna') });
    const second = await sync.push({ key: 'b', contact: person(1, 'Bert') });
    expect(second.results[0]).toMatchObject({
      status: 'failed',
      error: { code: 'conflict', existingKey: 'a' },
    });
    expect(await links.get('b')).toBeUndefined();
  });

  it('hands the new records of a window to SMS Partner in bulk, and links each key to its own contact', async () => {
    const { stores, mounts, emulators } = vendors();
    const links = memoryLinkStore();
    const sync = createContactSync({ stores: [stores[0] as ContactStore], links });
    const records = Array.from({ length: 300 }, (_, index) => ({
      key: `crm-${index}`,
      contact: person(index, 'Bulk'),
    }));
    const reports = await drain(sync.pushMany(records, { concurrency: 300 }));
    expect(reports.every((report) => report.results[0]?.status === 'created')).toBe(true);
    const adds = (mounts.smspartner as MountedEmulator).requests.filter(
      (request) => request.path === '/contact/add',
    );
    expect(adds.length).toBeLessThanOrEqual(3);
    expect(
      adds.every((request) =>
        Array.isArray((request.body as Record<string, unknown>).contactsList),
      ),
    ).toBe(true);
    const idOf = new Map(
      emulators.smsPartner.contacts().map((contact) => [contact.phone, contact.id]),
    );
    for (let index = 0; index < 300; index += 1) {
      expect(await links.get(`crm-${index}`)).toEqual({ smspartner: idOf.get(phoneOf(index)) });
    }
    // Separate pushes, each with its own signal (a queue worker's jobs), are batched as well.
    mounts.smspartner?.clear();
    const more = await Promise.all(
      Array.from({ length: 50 }, (_, index) =>
        sync.push(
          { key: `job-${index}`, contact: person(1000 + index, 'Job') },
          { signal: new AbortController().signal },
        ),
      ),
    );
    expect(more.every((report) => report.results[0]?.status === 'created')).toBe(true);
    expect(
      (mounts.smspartner as MountedEmulator).requests.filter((r) => r.path === '/contact/add')
        .length,
    ).toBeLessThan(50);
  });
});
