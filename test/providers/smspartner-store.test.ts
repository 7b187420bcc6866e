import nock from 'nock';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createContactStore } from '../../providers/registry.js';
import {
  createSmsPartnerContactStore,
  SMS_PARTNER_CAPABILITIES,
  type SmsPartnerOptions,
} from '../../providers/smspartner/index.js';
import { createSmsPartnerEmulator } from '../../sandbox/smspartner/emulator.js';
import { type MountedEmulator, mountEmulator } from '../support/nock-emulator.js';

const KEY = 'sp-store-key-4242';
const emulator = createSmsPartnerEmulator({ apiKey: KEY, groups: ['g1'] });
const store = (options: Partial<SmsPartnerOptions> = {}) =>
  createSmsPartnerContactStore({
    apiKey: KEY,
    groupId: 'g1',
    retry: { minTimeout: 0, maxTimeout: 0 },
    fieldMap: { company: 'custom1' },
    ...options,
  });
const configError = (options: unknown) => {
  try {
    createSmsPartnerContactStore(options as SmsPartnerOptions);
  } catch (error) {
    return error;
  }
};

let mount: MountedEmulator;
beforeAll(() => nock.disableNetConnect());
beforeEach(() => {
  emulator.reset();
  mount = mountEmulator(emulator, 'https://api.smspartner.fr');
});
afterEach(() => nock.cleanAll());
afterAll(() => nock.enableNetConnect());

describe('smspartner store', () => {
  it('declares its capabilities', () => {
    expect(store().capabilities).toEqual(SMS_PARTNER_CAPABILITIES);
    expect(SMS_PARTNER_CAPABILITIES).toMatchObject({
      findByPhone: 'emulated',
      upsert: 'emulated',
      changePhone: 'native',
      tags: 'unsupported',
      assignedUser: 'unsupported',
    });
  });

  it('is built by createContactStore from plain configuration', () => {
    const built = createContactStore({ provider: 'smspartner', apiKey: KEY, groupId: 'g1' });
    expect(built.provider).toBe('smspartner');
  });

  it('names a missing, wrong or unknown option in invalid_config', () => {
    expect(configError({ groupId: 'g1' })).toMatchObject({
      code: 'invalid_config',
      issues: [{ path: 'apiKey' }],
    });
    expect(configError({ apiKey: KEY })).toMatchObject({ issues: [{ path: 'groupId' }] });
    expect(configError({ apiKey: KEY, groupId: 12 })).toMatchObject({
      issues: [{ path: 'groupId' }],
    });
    expect(configError({ apiKey: KEY, groupId: 'g1', channel: 'x' })).toMatchObject({
      issues: [{ path: 'channel' }],
    });
    expect(
      configError({ apiKey: KEY, groupId: 'g1', fieldMap: { company: 'Company' } }),
    ).toMatchObject({
      code: 'invalid_config',
      issues: [{ path: 'fieldMap.company' }],
    });
    expect(
      JSON.stringify(configError({ apiKey: KEY, groupId: 'g1', baseUrl: 'http://example.com' })),
    ).not.toContain(KEY);
  });

  it('truncates long names before sending, and a second upsert is unchanged', async () => {
    const contacts = store();
    const long = 'Maximilienne-Alexandrine-Josephine de la Tour';
    const first = await contacts.upsert({ phone: '+33612345678', firstName: long });
    expect(first.action).toBe('created');
    expect(first.contact.firstName).toBe(long.slice(0, 32));
    expect(first.contact.warnings).toEqual([
      expect.objectContaining({ field: 'firstName', reason: 'truncated' }),
    ]);
    const second = await contacts.upsert({ phone: '+33612345678', firstName: long });
    expect(second.action).toBe('unchanged');
    expect(second.contact.warnings).toEqual([expect.objectContaining({ reason: 'truncated' })]);
  });

  it('puts what SMS Partner cannot hold in warnings, and still writes the rest', async () => {
    const created = await store().create({
      phone: '+33612345678',
      firstName: 'Jeanne',
      name: 'La Jeanne',
      tags: ['vip'],
      assignedUser: 'agent@example.com',
      customFields: { company: 'ACME', city: 'Lyon' },
    });
    expect(created.customFields).toEqual({ company: 'ACME' });
    expect(created.warnings.map((warning) => `${warning.field}:${warning.reason}`)).toEqual([
      'name:unsupported',
      'customFields.city:unmapped',
      'tags:unsupported',
      'assignedUser:unsupported',
    ]);
    expect(emulator.contacts()[0]?.record).toMatchObject({ firstname: 'Jeanne', custom1: 'ACME' });
  });

  it("with onUnmapped: 'error', rejects invalid_input naming the field and sends nothing", async () => {
    const error = await store({ onUnmapped: 'error' })
      .create({ phone: '+33612345678', customFields: { city: 'Lyon' } })
      .catch((caught) => caught);
    expect(error).toMatchObject({ code: 'invalid_input', issues: [{ path: 'customFields.city' }] });
    const truncated = await store({ onUnmapped: 'error' }).create({
      phone: '+33612345678',
      lastName: 'x'.repeat(40),
    });
    expect(truncated.lastName).toHaveLength(32);
    expect(mount.requests).toHaveLength(1);
  });

  it('rejects a custom field routed to date that is not YYYY-MM-DD before any request', async () => {
    const error = await store({ fieldMap: { since: 'date', birthday: 'custom2' } })
      .create({ phone: '+33612345678', customFields: { since: 'yesterday' } })
      .catch((caught) => caught);
    expect(error).toMatchObject({
      code: 'invalid_input',
      issues: [{ path: 'customFields.since' }],
    });
    expect(mount.requests).toHaveLength(0);
  });

  it('updates with the fields sent, reads the contact back, and clears with ""', async () => {
    const contacts = store();
    const created = await contacts.create({
      phone: '+33612345678',
      firstName: 'Jeanne',
      lastName: 'Martin',
      customFields: { company: 'ACME' },
    });
    mount.clear();
    const updated = await contacts.update(created.id, {
      lastName: '',
      customFields: { company: 'Globex' },
    });
    expect(mount.requests.map((request) => `${request.method} ${request.path}`)).toEqual([
      'POST /contact/update',
      'GET /contact/detail',
    ]);
    expect(mount.requests[0]?.body).toEqual({
      apiKey: KEY,
      contactId: created.id,
      contact: { lastname: '', custom1: 'Globex' },
    });
    expect(updated).toMatchObject({ id: created.id, phone: '+33612345678', firstName: 'Jeanne' });
    expect(updated).not.toHaveProperty('lastName');
    expect(updated.customFields).toEqual({ company: 'Globex' });
    expect(updated.createdAt).toEqual(expect.any(String));
  });

  it('changes a phone natively, and rejects conflict when another contact of the group holds it', async () => {
    const contacts = store();
    const first = await contacts.create({ phone: '+33612345678' });
    await contacts.create({ phone: '+33612345679' });
    const moved = await contacts.update(first.id, { phone: '+33698765432' });
    expect(moved.phone).toBe('+33698765432');
    await expect(contacts.update(first.id, { phone: '+33612345679' })).rejects.toMatchObject({
      code: 'conflict',
      providerCode: 15,
    });
  });

  it('upserts an existing contact found in the index of the group: one pass, then one write', async () => {
    const contacts = store();
    for (let index = 0; index < 25; index += 1) {
      await contacts.create({ phone: `+336${String(20_000_000 + index)}` });
    }
    mount.clear();
    const result = await contacts.upsert({ phone: '+33620000023', firstName: 'Late' });
    expect(result.action).toBe('updated');
    expect(result.contact).toMatchObject({ firstName: 'Late', phone: '+33620000023' });
    expect(result.contact.createdAt).toEqual(expect.any(String));
    // The pass read the whole contact: the update's echo completes it, no read back.
    expect(mount.requests.map((request) => `${request.method} ${request.path}`)).toEqual([
      'GET /contact/list',
      'GET /contact/list',
      'POST /contact/update',
    ]);
    mount.clear();
    // Every later lookup is free: a second upsert of a known phone, and one of a new phone.
    expect((await contacts.upsert({ phone: '+33620000001', firstName: 'Two' })).action).toBe(
      'updated',
    );
    expect((await contacts.upsert({ phone: '+33620000999' })).action).toBe('created');
    expect(mount.requests.map((request) => `${request.method} ${request.path}`)).toEqual([
      'POST /contact/update',
      'POST /contact/add',
    ]);
  });

  it('previews each write with the key shown as [redacted]', () => {
    const contacts = store({ defaultCountry: 'FR' });
    expect(contacts.preview('create', { phone: '06 12 34 56 78', firstName: 'Jeanne' })).toEqual({
      method: 'POST',
      url: 'https://api.smspartner.fr/v1/contact/add',
      headers: { accept: 'application/json', 'content-type': 'application/json' },
      body: {
        apiKey: '[redacted]',
        groupId: 'g1',
        contact: { phoneNumber: '+33612345678', firstname: 'Jeanne' },
      },
    });
    expect(contacts.preview('update', { lastName: '' }, 'c1')).toMatchObject({
      url: 'https://api.smspartner.fr/v1/contact/update',
      body: { apiKey: '[redacted]', contactId: 'c1', contact: { lastname: '' } },
    });
    expect(contacts.preview('delete', {}, 'c1')).toMatchObject({
      method: 'POST',
      url: 'https://api.smspartner.fr/v1/contact/delete',
      body: { apiKey: '[redacted]', contactId: 'c1' },
    });
    expect(JSON.stringify(contacts.preview('delete', {}, 'c1'))).not.toContain(KEY);
    expect(mount.requests).toHaveLength(0);
  });

  it('follows a baseUrl on a loopback host', () => {
    const preview = store({ baseUrl: 'http://127.0.0.1:4010/v1/' }).preview('delete', {}, 'c1');
    expect(preview.url).toBe('http://127.0.0.1:4010/v1/contact/delete');
  });
});

describe('smspartner store: unknown group', () => {
  it('reads code 404 on contact/add and contact/list as invalid_config naming groupId', async () => {
    const contacts = store({ groupId: 'no-such-group' });
    // Started one at a time: a second promise made up front could reject before it is awaited.
    for (const attempt of [
      () => contacts.create({ phone: '+33612345678' }),
      () => contacts.findByPhone('+33612345678'),
    ]) {
      const error = await attempt().catch((caught) => caught);
      expect(error).toMatchObject({
        code: 'invalid_config',
        providerCode: 404,
        retryable: false,
        issues: [{ path: 'groupId' }],
      });
    }
  });
});
