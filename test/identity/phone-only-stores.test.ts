import { describe, expect, it } from 'vitest';
import { createNotificoreContactStore } from '../../providers/notificore/index.js';
import { createSmsPartnerContactStore } from '../../providers/smspartner/index.js';
import { createNotificoreEmulator } from '../../sandbox/notificore/emulator.js';
import { createSmsPartnerEmulator } from '../../sandbox/smspartner/emulator.js';
import { ContactInputSchema } from '../../src/contact-schema.js';
import type { ContactStore } from '../../src/contact-store.js';
import { isContactSyncError } from '../../src/errors.js';
import { createContactSync, memoryLinkStore } from '../../src/sync/index.js';
import { createEmulatorFetch } from '../../src/testing/index.js';
import { parseWith } from '../../src/validation.js';

const BSUID = 'US.13491208655302741918';
const fast = { retry: { retries: 1, minTimeout: 0, maxTimeout: 0 }, rateLimit: false } as const;

function smsPartner() {
  const emulator = createSmsPartnerEmulator({ apiKey: 'sms-key', groups: ['g1'] });
  const double = createEmulatorFetch(emulator, { origin: 'https://api.smspartner.fr' });
  const store = createSmsPartnerContactStore({
    apiKey: 'sms-key',
    groupId: 'g1',
    fetch: double.fetch,
    ...fast,
  });
  return { store, vendor: double.vendor };
}

function notificore() {
  const emulator = createNotificoreEmulator({ apiKey: 'nc-key' });
  const double = createEmulatorFetch(emulator, { origin: 'https://one-api.notificore.ru' });
  const store = createNotificoreContactStore({ apiKey: 'nc-key', fetch: double.fetch, ...fast });
  return { store, vendor: double.vendor };
}

const issuesOf = (value: unknown) => {
  try {
    parseWith(ContactInputSchema, value, (issues) => Object.assign(new Error('x'), { issues }));
  } catch (error) {
    return (error as { issues: { path: string; message: string }[] }).issues;
  }
  return [];
};

describe('the contact model: a phone or a whatsappUserId', () => {
  it('accepts a contact known by its WhatsApp user id alone, kept as given', () => {
    expect(issuesOf({ whatsappUserId: BSUID })).toEqual([]);
    // Callbell's own example is not in Meta's form: only what no id can hold is refused.
    expect(issuesOf({ whatsappUserId: 'bsuid_abc123', name: 'x' })).toEqual([]);
    expect(issuesOf({ phone: '+33612345678', whatsappUserId: 'us.ENT.x' })).toEqual([]);
  });

  it('names phone when a contact has neither', () => {
    expect(issuesOf({ name: 'Nobody' })).toEqual([
      { path: 'phone', message: 'required (a contact needs a phone or a whatsappUserId)' },
    ]);
  });

  it.each([
    ['', 'cannot be empty'],
    ['US 1349', 'expected an id without spaces or control characters'],
    ['US.\u0000', 'expected an id without spaces or control characters'],
    ['x'.repeat(257), 'at most 256 characters'],
    ['..', 'not an id: . and .. name other endpoints'],
  ])('refuses whatsappUserId %j, naming the field', (whatsappUserId, message) => {
    expect(issuesOf({ whatsappUserId })).toEqual([{ path: 'whatsappUserId', message }]);
  });
});

describe.each([
  ['smspartner', smsPartner],
  ['notificore', notificore],
] as const)('%s: a store that needs a phone', (provider, setUp) => {
  it('declares identity phone only', () => {
    expect(setUp().store.capabilities.identity).toEqual(['phone']);
    expect(setUp().store.findByWhatsAppUserId).toBeUndefined();
  });

  it('refuses a phone-less contact as unsupported naming phone, before any request', async () => {
    const { store, vendor } = setUp();
    const input = { whatsappUserId: BSUID, firstName: 'Ana' };
    for (const call of [
      () => store.create(input),
      () => store.upsert(input),
      () => (store.reconcile as NonNullable<ContactStore['reconcile']>)('1', input),
    ]) {
      const error = await call().catch((caught: unknown) => caught);
      expect(isContactSyncError(error)).toBe(true);
      expect(error).toMatchObject({ code: 'unsupported', provider, retryable: false });
      expect((error as { issues: unknown }).issues).toEqual([
        { path: 'phone', message: expect.stringContaining('without a phone number') },
      ]);
      expect(String(error)).not.toContain(BSUID);
    }
    expect(() => store.preview('create', input)).toThrow(/phone is required/);
    expect(vendor.requests()).toEqual([]);
  });

  it('keeps a contact with a phone, and warns that the WhatsApp user id is not held', async () => {
    const { store } = setUp();
    const created = await store.create({ phone: '+33612345678', whatsappUserId: BSUID });
    expect(created.phone).toBe('+33612345678');
    expect(created.whatsappUserId).toBeUndefined();
    expect(created.warnings).toContainEqual({
      field: 'whatsappUserId',
      reason: 'unsupported',
      message: expect.stringContaining('cannot hold a WhatsApp user id'),
    });
  });

  it('ContactSync: a phone-less record fails unsupported naming phone and sends nothing', async () => {
    const { store, vendor } = setUp();
    const links = memoryLinkStore();
    const sync = createContactSync({ stores: [store], links });
    const report = await sync.push({ key: 'crm-1', contact: { whatsappUserId: BSUID } });
    expect(report.results).toHaveLength(1);
    expect(report.results[0]).toMatchObject({ provider, status: 'failed' });
    expect(report.results[0]?.error).toMatchObject({
      code: 'unsupported',
      issues: [{ path: 'phone' }],
    });
    expect(vendor.requests()).toEqual([]);
    expect(await links.get('crm-1')).toBeUndefined();
    const reports = [];
    for await (const one of sync.pushMany([
      { key: 'crm-2', contact: { whatsappUserId: `${BSUID}2` } },
      { key: 'crm-3', contact: { whatsappUserId: `${BSUID}3` } },
    ])) {
      reports.push(one);
    }
    const outcomes = reports.map((one) => [one.key, one.results[0]?.error?.code]);
    expect(outcomes.sort()).toEqual([
      ['crm-2', 'unsupported'],
      ['crm-3', 'unsupported'],
    ]);
    expect(vendor.requests()).toEqual([]);
  });
});
