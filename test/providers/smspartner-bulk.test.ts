import nock from 'nock';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createSmsPartnerContactStore } from '../../providers/smspartner/index.js';
import { createSmsPartnerEmulator } from '../../sandbox/smspartner/emulator.js';
import type { ContactStore, UpsertResult } from '../../src/contact-store.js';
import { type MountedEmulator, mountEmulator } from '../support/nock-emulator.js';

const KEY = 'sp-bulk-key-4242';
const emulator = createSmsPartnerEmulator({ apiKey: KEY, groups: ['g1', 'g2'] });
const store = () =>
  createSmsPartnerContactStore({
    apiKey: KEY,
    groupId: 'g1',
    retry: { minTimeout: 0, maxTimeout: 0 },
    rateLimit: false,
  });
const phoneOf = (index: number) => `+3361${String(index).padStart(7, '0')}`;
const routes = (mount: MountedEmulator) =>
  mount.requests.map((request) => `${request.method} ${request.path}`);
const countOf = (mount: MountedEmulator, route: string) =>
  routes(mount).filter((item) => item === route).length;
const seed = (count: number, group = 'g1') =>
  emulator.seed(
    group,
    Array.from({ length: count }, (_, index) => ({
      phoneNumber: phoneOf(index),
      firstname: 'Old',
    })),
  );
const values = (outcomes: PromiseSettledResult<UpsertResult>[]) =>
  outcomes.map((outcome) => {
    if (outcome.status === 'rejected') throw outcome.reason;
    return outcome.value;
  });
const upsertMany = (contacts: ContactStore) =>
  contacts.upsertMany as NonNullable<ContactStore['upsertMany']>;

let mount: MountedEmulator;
beforeAll(() => nock.disableNetConnect());
beforeEach(() => {
  emulator.reset();
  mount = mountEmulator(emulator, 'https://api.smspartner.fr');
});
afterEach(() => nock.cleanAll());
afterAll(() => nock.enableNetConnect());

describe('smspartner bulk add (upsertMany)', () => {
  it('declares upsertMany and creates 1,200 new contacts in three contactsList calls, learning every id from the group', async () => {
    const contacts = store();
    expect(contacts.capabilities.upsertMany).toBe('native');
    const inputs = Array.from({ length: 1200 }, (_, index) => ({
      phone: phoneOf(index),
      firstName: `N${index}`,
    }));
    const results = values(await upsertMany(contacts)(inputs));
    expect(results.every((result) => result.action === 'created')).toBe(true);
    const held = new Map(emulator.contacts().map((contact) => [contact.phone, contact.id]));
    expect(held.size).toBe(1200);
    for (const [index, result] of results.entries()) {
      expect(result.contact).toMatchObject({ phone: phoneOf(index), firstName: `N${index}` });
      expect(result.contact.id).toBe(held.get(phoneOf(index)));
    }
    const bulk = mount.requests.filter((request) => request.path === '/contact/add');
    expect(
      bulk.map((request) => (request.body as { contactsList: unknown[] }).contactsList.length),
    ).toEqual([500, 500, 200]);
    // One page for the empty group, then the 1,200 new rows at 20 a page.
    expect(countOf(mount, 'GET /contact/list')).toBe(1 + 60);
    expect(mount.requests).toHaveLength(3 + 61);
  });

  it('updates the contacts the group holds (one request each) and bulk-adds only the new ones', async () => {
    seed(30);
    const contacts = store();
    const inputs = [
      ...Array.from({ length: 10 }, (_, index) => ({
        phone: phoneOf(index),
        firstName: 'Changed',
      })),
      { phone: phoneOf(10), firstName: 'Old' },
      ...Array.from({ length: 12 }, (_, index) => ({
        phone: phoneOf(100 + index),
        firstName: 'New',
      })),
    ];
    const results = values(await upsertMany(contacts)(inputs));
    expect(results.map((result) => result.action)).toEqual([
      ...Array(10).fill('updated'),
      'unchanged',
      ...Array(12).fill('created'),
    ]);
    expect(countOf(mount, 'POST /contact/update')).toBe(10);
    expect(countOf(mount, 'POST /contact/add')).toBe(1);
    expect(countOf(mount, 'GET /contact/detail')).toBe(0);
    // The pass (30 contacts: 2 pages), then the tail from page 2 for the 12 new rows (2 pages).
    expect(countOf(mount, 'GET /contact/list')).toBe(4);
    expect(emulator.contacts()).toHaveLength(42);
  });

  it('a bulk add whose answer was lost is replayed safely: code 15 rows are found at the end of the group, no duplicate', async () => {
    const contacts = store();
    mount.fail({ path: /^\/contact\/add$/, drop: 'after' });
    const inputs = Array.from({ length: 30 }, (_, index) => ({ phone: phoneOf(index) }));
    const results = values(await upsertMany(contacts)(inputs));
    expect(emulator.contacts()).toHaveLength(30);
    const held = new Map(emulator.contacts().map((contact) => [contact.phone, contact.id]));
    for (const [index, result] of results.entries()) {
      expect(result.contact.id).toBe(held.get(phoneOf(index)));
    }
    // Two bulk adds (the lost one and its replay), no single add, no per-row scan.
    expect(countOf(mount, 'POST /contact/add')).toBe(2);
    expect(countOf(mount, 'GET /contact/list')).toBeLessThanOrEqual(4);
  });

  it('refuses, and writes nothing to, a contact whose claim is declined', async () => {
    seed(3);
    const contacts = store();
    const outcomes = await upsertMany(contacts)(
      [
        { phone: phoneOf(0), firstName: 'Intruder' },
        { phone: phoneOf(1), firstName: 'Welcome' },
      ],
      { claim: (_existing, index) => index === 1 },
    );
    expect(outcomes[0]).toMatchObject({
      status: 'rejected',
      reason: { code: 'conflict', existingId: expect.any(String) },
    });
    expect(outcomes[1]).toMatchObject({ status: 'fulfilled', value: { action: 'updated' } });
    expect(JSON.stringify(mount.requests.map((request) => request.body ?? null))).not.toContain(
      'Intruder',
    );
  });

  it('reports each refused row with its code, and does not adopt an answer about another group', async () => {
    const contacts = store();
    const outcomes = await upsertMany(contacts)([
      { phone: phoneOf(1), firstName: 'A' },
      { phone: phoneOf(2), firstName: 'B' },
    ]);
    expect(outcomes.every((outcome) => outcome.status === 'fulfilled')).toBe(true);
    nock.cleanAll();
    const scope = nock('https://api.smspartner.fr')
      .get('/v1/contact/list')
      .query(true)
      .reply(200, { success: true, code: 200, total: '0', datas: [] })
      .post('/v1/contact/add')
      .reply(200, {
        groupe: { name: 'other', token: 'g2' },
        results: [],
        rapport: { nbline: 2, nbline_imported: 2, nbline_updated: 0 },
      });
    const foreign = await upsertMany(store())(
      Array.from({ length: 10 }, (_, index) => ({ phone: phoneOf(10 + index) })),
    );
    expect(foreign.every((outcome) => outcome.status === 'rejected')).toBe(true);
    expect(foreign[0]).toMatchObject({ reason: { code: 'invalid_response' } });
    expect(scope.isDone()).toBe(true);
  });

  it('creates fewer than ten new contacts one by one, at once', async () => {
    const results = values(
      await upsertMany(store())(
        Array.from({ length: 9 }, (_, index) => ({ phone: phoneOf(index) })),
      ),
    );
    expect(results.every((result) => result.action === 'created')).toBe(true);
    expect(
      mount.requests
        .filter((request) => request.path === '/contact/add')
        .every((request) => (request.body as Record<string, unknown>).contact !== undefined),
    ).toBe(true);
    expect(routes(mount)).toEqual(['GET /contact/list', ...Array(9).fill('POST /contact/add')]);
  });

  it('refuses two inputs with one phone before any request', async () => {
    const outcomes = await upsertMany(store())([{ phone: phoneOf(1) }, { phone: phoneOf(1) }]);
    expect(outcomes[1]).toMatchObject({
      status: 'rejected',
      reason: { code: 'invalid_input', issues: [{ path: '1.phone' }] },
    });
  });
});
