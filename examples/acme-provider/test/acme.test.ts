import { createContactSync, memoryLinkStore } from 'contact-sync';
import { isContactSyncError } from 'contact-sync/provider';
import { contactStoreCases, createEmulatorFetch } from 'contact-sync/testing';
import { beforeEach, describe, expect, it } from 'vitest';
import { createAcmeEmulator } from '../src/emulator.js';
import { acmeProvider, createAcmeContactStore } from '../src/index.js';

const API_KEY = 'acme-test-key-1234';
const emulator = createAcmeEmulator({ apiKey: API_KEY });
// Acme behind a fetch double: no socket, no interceptor library; the cases plan faults through it.
const { fetch, vendor } = createEmulatorFetch(emulator, {
  origin: 'https://api.acme-contacts.test',
});

describe('acme: the shipped ContactStore cases', () => {
  const cases = contactStoreCases({
    provider: 'acme',
    makeStore: (options) => createAcmeContactStore({ apiKey: API_KEY, fetch, ...options }),
    makeUnauthorizedStore: (options) =>
      createAcmeContactStore({ apiKey: 'acme-wrong-key-9876', fetch, ...options }),
    vendor,
    secrets: [API_KEY, 'acme-wrong-key-9876'],
    pageSize: acmeProvider.pageSize,
    validationFault: {
      path: /^\/contacts$/,
      method: 'POST',
      status: 422,
      body: { error: { type: 'invalid', field: 'phone', message: 'phone must be in E.164' } },
    },
    createPath: /^\/contacts$/,
  });
  for (const { name, run } of cases) it(name, run);
});

describe('acme: its own wire shapes', () => {
  const fast = { retry: { minTimeout: 0, maxTimeout: 0 }, rateLimit: false } as const;
  beforeEach(() => vendor.reset());

  it('creates with POST /contacts, reads back the common model', async () => {
    const store = createAcmeContactStore({ apiKey: API_KEY, fetch, ...fast });
    const created = await store.create({ phone: '+33612345678', firstName: 'Ana', name: 'Ana L.' });
    expect(vendor.requests()).toEqual([{ method: 'POST', path: '/contacts' }]);
    expect(emulator.contacts()[0]?.record).toMatchObject({
      phone: '+33612345678',
      first_name: 'Ana',
      display_name: 'Ana L.',
    });
    expect(created).toMatchObject({ provider: 'acme', firstName: 'Ana', name: 'Ana L.' });
  });

  it('warns about a field Acme cannot hold, and refuses it with onUnmapped: error', async () => {
    const store = createAcmeContactStore({ apiKey: API_KEY, fetch, ...fast });
    const created = await store.create({ phone: '+33612345678', birthday: '1990-04-21' });
    expect(created.warnings).toEqual([
      { field: 'birthday', reason: 'unsupported', message: 'Acme has no field for birthday' },
    ]);
    const strict = createAcmeContactStore({ apiKey: API_KEY, fetch, onUnmapped: 'error', ...fast });
    const error = await strict
      .create({ phone: '+33698765432', url: 'https://example.com' })
      .catch((caught: unknown) => caught);
    expect(isContactSyncError(error) && error.code).toBe('invalid_input');
    expect(vendor.requests()).toHaveLength(1);
  });

  it('refuses bad options with invalid_config naming the option', () => {
    expect(() => createAcmeContactStore({ apiKey: '' })).toThrow(/apiKey/);
    expect(() => createAcmeContactStore({ apiKey: API_KEY, colour: 'red' } as never)).toThrow(
      /colour/,
    );
  });

  it('names the existing contact on a conflict', async () => {
    const store = createAcmeContactStore({ apiKey: API_KEY, fetch, ...fast });
    const first = await store.create({ phone: '+33612345678' });
    const error = await store.create({ phone: '+33612345678' }).catch((caught: unknown) => caught);
    expect(error).toMatchObject({
      code: 'conflict',
      existingId: first.id,
      providerCode: 'duplicate',
    });
  });

  it('syncs through createContactSync from the root entry, like a shipped vendor', async () => {
    const sync = createContactSync({
      stores: [createAcmeContactStore({ apiKey: API_KEY, fetch, ...fast })],
      links: memoryLinkStore(),
    });
    const first = await sync.push({ key: 'crm-1', contact: { phone: '+33612345678' } });
    const again = await sync.push({
      key: 'crm-1',
      contact: { phone: '+33612345678', lastName: 'B' },
    });
    expect(first.results[0]?.status).toBe('created');
    expect(again.results[0]?.status).toBe('updated');
    expect(emulator.contacts()).toHaveLength(1);
  });
});
